package dev.fmnist.inference.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The broker address shared with the Reactive Messaging channels, for the plain Kafka clients. */
@ApplicationScoped
public class KafkaSettings {
    private final String bootstrapServers;

    public KafkaSettings(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }
}
