package dev.fmnist.console.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/**
 * The Kafka client properties: every {@code kafka.*} configuration property with the prefix
 * removed ({@code kafka.bootstrap.servers}, and {@code kafka.security.protocol} and the like for a
 * secured broker), as the services pass them to their clients.
 */
@ApplicationScoped
public class KafkaSettings {
    private static final String PREFIX = "kafka.";
    private final Map<String, Object> properties;

    public KafkaSettings(Config config) {
        Map<String, Object> p = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
                config.getOptionalValue(name, String.class).ifPresent(v -> p.put(name.substring(PREFIX.length()), v));
            }
        }
        p.putIfAbsent("bootstrap.servers", "localhost:9092");
        this.properties = Map.copyOf(p);
    }

    /** A copy to add consumer settings to. */
    public Map<String, Object> clientProperties() {
        return new HashMap<>(properties);
    }

    public String bootstrapServers() {
        return String.valueOf(properties.get("bootstrap.servers"));
    }
}
