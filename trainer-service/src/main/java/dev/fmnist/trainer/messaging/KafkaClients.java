package dev.fmnist.trainer.messaging;

import dev.fmnist.support.kafka.BoundedTopicReader;
import dev.fmnist.support.kafka.KafkaClientFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

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
     * A group-less consumer of raw records for bounded reads up to fixed end offsets (the topic mirrors,
     * scans of bookkeeping topics). Its fetch wait is short: once a read has reached the end, the consumer
     * already has its next fetch in flight there, and the broker holds that fetch for up to
     * {@code fetch.max.wait.ms} when no data follows; the next read (the next epoch's refresh) cannot fetch
     * before it returns.
     */
    public Consumer<byte[], byte[]> consumer(String purpose) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + purpose);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Fetches of a few 200 KB batches: the data is read in full once (each epoch then reads only what
        // was appended), and a fetch response is one heap buffer, read through a JDK temporary direct
        // buffer of the same size. With 32/64 MiB fetches those filled the trainer's 192 MB heap; 1 MiB
        // fetches load the 47 MB in the same 0.5-0.7 s (measured on a loaded machine).
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 2 * 1024 * 1024);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
        p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 4 * 1024 * 1024);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        // Every image batch and snapshot carries its own CRC32C, checked by its codec: skip the second pass.
        p.put(ConsumerConfig.CHECK_CRCS_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return factory.consumer(p);
    }

    /**
     * Reads a whole bookkeeping topic (snapshots, dead letters) once: a fresh replay consumer from the
     * beginning to the end offsets taken now. Fails once {@code 4 x timeout} has passed, so a stalled
     * fetch fails the run instead of hanging it.
     */
    public void scan(String topic, Duration timeout, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        Duration limit = timeout.multipliedBy(4);
        try (Consumer<byte[], byte[]> consumer = consumer(topic + "-scan")) {
            if (BoundedTopicReader.scan(consumer, topic, limit, () -> false, handler) != BoundedTopicReader.Outcome.COMPLETE) {
                throw new TimeoutException(topic + " not read to its end offsets within " + limit);
            }
        }
    }

    /** Idempotent, acks=all: a snapshot counts as published only once the broker has it. */
    public Producer<byte[], byte[]> producer(String purpose) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + purpose);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // a dead-lettered image batch is forwarded unchanged (up to ~1 MiB)
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return factory.producer(p);
    }

    /**
     * The snapshot writer: {@link #producer} plus a {@code transactional.id}, so a newer writer with
     * the same id fences this one (Kafka's one-writer-per-id guarantee).
     */
    public Producer<byte[], byte[]> transactionalProducer(String purpose, String transactionalId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + purpose);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return factory.producer(p);
    }

    public Admin admin() {
        return factory.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }
}
