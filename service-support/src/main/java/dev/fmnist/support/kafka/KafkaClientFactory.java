package dev.fmnist.support.kafka;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The only place where the services build Kafka clients. Every client starts from one base map (all
 * {@code kafka.*} properties: bootstrap servers, {@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}, ...) and lays its own settings (client id, fetch tuning, serializers) on top, so a
 * connection setting configured once reaches every producer, consumer and admin client.
 *
 * <p>The named profiles ({@link #replayConsumer}, {@link #tailConsumer}, {@link #committedReader},
 * {@link #reliableProducer}, {@link #transactionalWriter}, {@link #admin(String)}, {@link #scan}) carry the
 * reliability settings, written here and nowhere else; the SmallRye channels take the same settings from
 * {@link #RELIABLE_PRODUCER} and {@link #COMMITTED_CONSUMER} (see {@link KafkaClientFactoryProducer}). Callers
 * add only a client id and fetch or batch tuning.
 */
public final class KafkaClientFactory {
    /** Keys under {@code kafka.} that are Quarkus' own settings, not client settings. */
    private static final String[] NOT_CLIENT_SETTINGS = {"devservices", "health", "snappy", "ui."};

    /**
     * Every producer: the broker has a record only once all in-sync replicas have it, and a retried send
     * never duplicates or reorders one (idempotence allows at most 5 requests in flight).
     */
    public static final Map<String, String> RELIABLE_PRODUCER = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");

    /**
     * Every consumer: only committed records (an aborted transactional snapshot is never seen), from the
     * beginning when there is no position, and no automatic commits (channels commit what was processed,
     * the group-less readers keep their own positions).
     */
    public static final Map<String, String> COMMITTED_CONSUMER = Map.of(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

    /**
     * Replay consumers end every read at fixed end offsets and start the next one with a seek; a fetch
     * the broker holds open at the end delays that next read by up to this wait, so it is short.
     */
    static final int REPLAY_FETCH_MAX_WAIT_MS = 10;

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

    /**
     * The settings of a reader of committed records ({@link #COMMITTED_CONSUMER}) of raw bytes, with the caller's
     * client id and {@code tuning} on top: for a {@link TopicTail}, which builds its consumer itself.
     */
    public static Map<String, Object> readerSettings(String clientId, Map<String, ?> tuning) {
        Map<String, Object> p = new HashMap<>(COMMITTED_CONSUMER);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.putAll(tuning);
        return p;
    }

    /**
     * A group-less reader of committed records with typed keys: no group (a configured {@code group.id}
     * is dropped), no commits; the caller assigns partitions and seeks. {@code tuning} (fetch sizes, ...)
     * is laid on top.
     */
    public <K> Consumer<K, byte[]> committedReader(String clientId, Deserializer<K> keys, Map<String, ?> tuning) {
        Map<String, Object> p = readerSettings(clientId, tuning);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, null);
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, null);
        return new KafkaConsumer<>(config(p), keys, new ByteArrayDeserializer());
    }

    /** A {@link #committedReader} for bulk reads up to fixed end offsets, with a short fetch wait. */
    public Consumer<byte[], byte[]> replayConsumer(String clientId, Map<String, ?> tuning) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, REPLAY_FETCH_MAX_WAIT_MS);
        p.putAll(tuning);
        return committedReader(clientId, new ByteArrayDeserializer(), p);
    }

    /** A {@link #committedReader} that follows the end of a topic: the broker's fetch wait, so an idle tail costs little. */
    public Consumer<byte[], byte[]> tailConsumer(String clientId, Map<String, ?> tuning) {
        return committedReader(clientId, new ByteArrayDeserializer(), tuning);
    }

    /**
     * Reads a whole topic once with a fresh {@link #replayConsumer} (with {@code tuning}): from the beginning
     * to the end offsets taken now ({@link BoundedTopicReader#scan}); {@code stop} ends it early.
     *
     * @throws TimeoutException when the read did not reach the end offsets within {@code limit} (a
     *                          retriable error: the broker did not answer)
     */
    public BoundedTopicReader.Outcome scan(String clientId, Map<String, ?> tuning, String topic, Duration limit,
                                           BooleanSupplier stop,
                                           java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        try (Consumer<byte[], byte[]> c = replayConsumer(clientId, tuning)) {
            BoundedTopicReader.Outcome outcome = BoundedTopicReader.scan(c, topic, limit, stop, handler);
            if (outcome == BoundedTopicReader.Outcome.TIMED_OUT) {
                throw new TimeoutException(topic + " not read to its end offsets within " + limit);
            }
            return outcome;
        }
    }

    /** An idempotent acks=all producer ({@link #RELIABLE_PRODUCER}) with typed keys; {@code tuning} on top. */
    public <K> Producer<K, byte[]> reliableProducer(String clientId, Serializer<K> keys, Map<String, ?> tuning) {
        Map<String, Object> p = new HashMap<>(RELIABLE_PRODUCER);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.putAll(tuning);
        return new KafkaProducer<>(config(p), keys, new ByteArraySerializer());
    }

    /** A {@link #reliableProducer} of raw records. */
    public Producer<byte[], byte[]> reliableProducer(String clientId, Map<String, ?> tuning) {
        return reliableProducer(clientId, new ByteArraySerializer(), tuning);
    }

    /**
     * A {@link #reliableProducer} with a {@code transactional.id}: a newer writer with the same id fences
     * this one (Kafka's one writer per id). A plain client: a SmallRye emitter cannot be fenced per writer
     * nor commit a transaction the caller controls.
     */
    public Producer<byte[], byte[]> transactionalWriter(String clientId, String transactionalId, Map<String, ?> tuning) {
        Map<String, Object> p = new HashMap<>(tuning);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return reliableProducer(clientId, p);
    }

    /** An admin client whose calls give up after 10 s (5 s per request), so a broker away fails a call instead of hanging it. */
    public Admin admin(String clientId) {
        return admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, clientId,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
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
