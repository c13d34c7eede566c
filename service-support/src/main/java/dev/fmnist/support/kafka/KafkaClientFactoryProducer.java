package dev.fmnist.support.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;

/**
 * Makes the one {@link KafkaClientFactory} of a service from MicroProfile Config: every
 * {@code kafka.*} property, and every {@code KAFKA_*} environment variable read the way Quarkus reads
 * them for its SmallRye channels ({@code KAFKA_SECURITY_PROTOCOL} is {@code security.protocol}), so
 * the plain clients and the channels see the same connection settings.
 *
 * <p>It also hands the factory's reliability profiles to the SmallRye channels: a channel that names one
 * with {@code kafka-configuration=fmnist-reliable-producer} (or {@code fmnist-committed-consumer}) gets
 * those settings under its own attributes and over the {@code default-kafka-broker} connection settings.
 */
@ApplicationScoped
public class KafkaClientFactoryProducer {

    @Produces
    @Singleton
    KafkaClientFactory kafkaClientFactory(Config config) {
        return new KafkaClientFactory(kafkaProperties(config));
    }

    @Produces
    @Identifier("fmnist-reliable-producer")
    Map<String, Object> reliableProducerChannel() {
        return Map.copyOf(KafkaClientFactory.RELIABLE_PRODUCER);
    }

    @Produces
    @Identifier("fmnist-committed-consumer")
    Map<String, Object> committedConsumerChannel() {
        return Map.copyOf(KafkaClientFactory.COMMITTED_CONSUMER);
    }

    static Map<String, Object> kafkaProperties(Config config) {
        Map<String, Object> p = new TreeMap<>();
        // kafka.x.y first: looking it up also sees its KAFKA_X_Y override; a KAFKA_* variable with no
        // dotted counterpart adds a setting of its own.
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.") && name.length() > "kafka.".length()) {
                config.getOptionalValue(name, String.class).ifPresent(v -> p.put(name.substring("kafka.".length()), v));
            }
        }
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("KAFKA_") && name.length() > "KAFKA_".length()) {
                String key = name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
                if (!p.containsKey(key)) {
                    config.getOptionalValue(name, String.class).ifPresent(v -> p.put(key, v));
                }
            }
        }
        return p;
    }
}
