package dev.fmnist.trainer.messaging;

import dev.fmnist.support.kafka.KafkaClientFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The trainer's Kafka clients, settings explicit. Consumers are assigned partitions and seek
 * themselves (a topic mirror reads its topic from the beginning), so they have no group and never commit:
 * the trainer's position lives in the lineage of its snapshots. The connection settings (every
 * {@code kafka.*} property) come from the service's {@link KafkaClientFactory}; these are the trainer's
 * own settings laid on top.
 */
public final class KafkaClients {
    private final KafkaClientFactory factory;
    private final String clientIdPrefix;

    public KafkaClients(KafkaClientFactory factory, String clientIdPrefix) {
        this.factory = factory;
        this.clientIdPrefix = clientIdPrefix;
    }

    /** Clients of a broker with no other connection settings (the integration tests and the benchmark). */
    public KafkaClients(String bootstrapServers, String clientIdPrefix) {
        this(KafkaClientFactory.forBootstrap(bootstrapServers), clientIdPrefix);
    }

    public String bootstrapServers() {
        return factory.bootstrapServers();
    }

    /**
     * Fetches of a few 200 KB batches: a fetch response is one heap buffer (read through a JDK temporary
     * direct buffer of the same size), so large fetches would fill the trainer's small heap; the mirrors read
     * the data in full only once. Every image batch and snapshot carries its own CRC32C, checked by its
     * codec: the client's second pass is skipped.
     */
    private static final Map<String, Object> FETCH = Map.of(
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 2 * 1024 * 1024,
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024,
            ConsumerConfig.RECEIVE_BUFFER_CONFIG, 4 * 1024 * 1024,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
            ConsumerConfig.CHECK_CRCS_CONFIG, false);
    /** A snapshot counts as published once the broker has it, or the run fails within 30 s. */
    private static final Map<String, Object> SEND = Map.of(
            ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);

    /** A group-less replay consumer for bounded reads up to fixed end offsets (the topic mirrors). */
    public Consumer<byte[], byte[]> consumer(String purpose) {
        return factory.replayConsumer(clientIdPrefix + "-" + purpose, FETCH);
    }

    /**
     * Reads a whole bookkeeping topic (snapshots, dead letters) once, from the beginning to the end offsets
     * taken now. Fails once {@code 4 x timeout} has passed, so a stalled fetch fails the run instead of hanging it.
     */
    public void scan(String topic, Duration timeout, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        factory.scan(clientIdPrefix + "-" + topic + "-scan", FETCH, topic, timeout.multipliedBy(4), () -> false, handler);
    }

    /** The dead-letter producer: a dead-lettered image batch is forwarded unchanged (up to ~1 MiB). */
    public Producer<byte[], byte[]> producer(String purpose) {
        Map<String, Object> p = new HashMap<>(SEND);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        return factory.reliableProducer(clientIdPrefix + "-" + purpose, p);
    }

    /** The snapshot writer: a newer writer with the same {@code transactionalId} fences this one. */
    public Producer<byte[], byte[]> transactionalProducer(String purpose, String transactionalId) {
        return factory.transactionalWriter(clientIdPrefix + "-" + purpose, transactionalId, SEND);
    }

    public Admin admin() {
        return factory.admin(clientIdPrefix + "-admin");
    }
}
