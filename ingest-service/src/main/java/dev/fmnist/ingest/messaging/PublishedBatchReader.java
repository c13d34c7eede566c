package dev.fmnist.ingest.messaging;

import dev.fmnist.ingest.dataset.DatasetException;
import dev.fmnist.ingest.dataset.PublishedBatches;
import dev.fmnist.support.kafka.BoundedTopicReader;
import dev.fmnist.support.kafka.KafkaClientFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Finds which batch ids are already keys on the dataset topics: a consumer with no group (assigned
 * partitions, nothing committed) reads each topic from its beginning to the end offsets taken when the
 * read starts ({@link BoundedTopicReader#scan}); records written later are not waited for. Values are fetched, since Kafka cannot fetch
 * keys alone, but never decoded. A topic's read stops as soon as every wanted id on it was seen, so a
 * topic holding several copies of the dataset costs about one copy.
 */
public final class PublishedBatchReader implements PublishedBatches {
    /** Per-partition fetch limit: a few lz4 batches of ~200 KB image records per request. */
    static final int MAX_PARTITION_FETCH_BYTES = 8 << 20;
    static final int FETCH_MAX_BYTES = 16 << 20;

    private final KafkaClientFactory kafka;
    private final Duration timeout;

    /**
     * @param kafka   the service's clients (connection settings: bootstrap servers, security)
     * @param timeout the longest the whole read may take
     */
    public PublishedBatchReader(KafkaClientFactory kafka, Duration timeout) {
        this.kafka = kafka;
        this.timeout = timeout;
    }

    @Override
    public Map<String, Set<String>> find(Map<String, Set<String>> wanted) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Set<String>> found = new LinkedHashMap<>();
        try (Consumer<String, byte[]> consumer = consumer(kafka)) {
            for (Map.Entry<String, Set<String>> e : wanted.entrySet()) {
                found.put(e.getKey(), scan(consumer, e.getKey(), e.getValue(), deadline));
            }
        } catch (KafkaException e) {
            throw new DatasetException("cannot read the batch ids already published: " + e.getMessage()
                    + " (POST ...?force=true publishes without checking)", e);
        }
        return found;
    }

    /** The factory's committed reader with string keys (the batch ids) and fetches sized for image batches. */
    static Consumer<String, byte[]> consumer(KafkaClientFactory kafka) {
        return kafka.committedReader("fmnist-ingest-published-" + UUID.randomUUID().toString().substring(0, 8),
                new StringDeserializer(), Map.of(
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_PARTITION_FETCH_BYTES,
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES));
    }

    /** The wanted ids on {@code topic}; stops as soon as all were seen. */
    private Set<String> scan(Consumer<String, byte[]> consumer, String topic, Set<String> wanted, long deadline) {
        Set<String> found = new HashSet<>();
        if (wanted.isEmpty()) {
            return found;
        }
        BoundedTopicReader.Outcome outcome;
        try {
            outcome = BoundedTopicReader.scan(consumer, topic, remaining(deadline, topic),
                    () -> found.size() >= wanted.size(), r -> {
                        if (r.key() != null && wanted.contains(r.key())) {
                            found.add(r.key());
                        }
                    });
        } catch (IllegalStateException e) {
            throw new DatasetException("topic " + topic + " does not exist");
        }
        if (outcome == BoundedTopicReader.Outcome.TIMED_OUT) {
            throw timedOut(topic);
        }
        consumer.unsubscribe();
        return found;
    }

    /** Time left before the deadline; fails the read when none is left. */
    private Duration remaining(long deadline, String topic) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut(topic);
        }
        return Duration.ofNanos(left);
    }

    /** Caused by a Kafka TimeoutException: a broker that does not answer is an outage the publication retries. */
    private DatasetException timedOut(String topic) {
        return new DatasetException("reading the batch ids already on " + topic + " took longer than "
                + timeout.toSeconds() + " s (fmnist.ingest.skip-published-timeout); "
                + "POST ...?force=true publishes without checking",
                new org.apache.kafka.common.errors.TimeoutException("no end of " + topic + " within the timeout"));
    }
}
