package dev.fmnist.support.kafka;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The only place where the services build Kafka clients. Every client starts from one base map (all
 * {@code kafka.*} properties: bootstrap servers, {@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}, ...) and lays its own settings (client id, fetch tuning, serializers) on top, so a
 * connection setting configured once reaches every producer, consumer and admin client.
 */
public final class KafkaClientFactory {
    /** Keys under {@code kafka.} that are Quarkus' own settings, not client settings. */
    private static final String[] NOT_CLIENT_SETTINGS = {"devservices", "health", "snappy", "ui."};

    private final Map<String, Object> base;

    /** @param kafkaProperties the {@code kafka.*} properties without their prefix */
    public KafkaClientFactory(Map<String, ?> kafkaProperties) {
        Map<String, Object> p = new TreeMap<>();
        kafkaProperties.forEach((k, v) -> {
            if (isClientSetting(k)) {
                p.put(k, v);
            }
        });
        this.base = Collections.unmodifiableMap(p);
    }

    /** A factory for a broker with no other connection settings (tools and tests). */
    public static KafkaClientFactory forBootstrap(String bootstrapServers) {
        return new KafkaClientFactory(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** The connection settings every client gets. */
    public Map<String, Object> base() {
        return base;
    }

    public String bootstrapServers() {
        return String.valueOf(base.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /**
     * The effective configuration of a client with {@code settings}: the base map, then the settings.
     * A setting whose value is null removes the key (a reader without a group drops a configured
     * {@code group.id}).
     */
    public Map<String, Object> config(Map<String, ?> settings) {
        Map<String, Object> p = new HashMap<>(base);
        settings.forEach((k, v) -> {
            if (v == null) {
                p.remove(k);
            } else {
                p.put(k, v);
            }
        });
        return p;
    }

    /**
     * {@code settings} with {@code isolation.level=read_committed}: the profile of a reader of a topic
     * written in transactions (fmnist.snapshots, fmnist.model-control), which must not see an aborted record.
     */
    public static Map<String, Object> committedReader(Map<String, ?> settings) {
        Map<String, Object> p = new HashMap<>(settings);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /** A consumer; {@code settings} name its deserializers ({@code key.deserializer}, ...). */
    public <K, V> Consumer<K, V> consumer(Map<String, ?> settings) {
        return new KafkaConsumer<>(config(settings));
    }

    /** A producer; {@code settings} name its serializers ({@code key.serializer}, ...). */
    public <K, V> Producer<K, V> producer(Map<String, ?> settings) {
        return new KafkaProducer<>(config(settings));
    }

    public Admin admin(Map<String, ?> settings) {
        return Admin.create(config(settings));
    }

    private static boolean isClientSetting(String key) {
        for (String prefix : NOT_CLIENT_SETTINGS) {
            if (key.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }
}
