package dev.fmnist.ingest.messaging;

import dev.fmnist.ingest.dataset.DatasetException;
import dev.fmnist.ingest.dataset.PublishedBatches;
import dev.fmnist.support.kafka.KafkaClientFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Finds which batch ids are already keys on the dataset topics: a consumer with no group (assigned
 * partitions, nothing committed) reads each topic from its beginning to the end offsets taken when the
 * read starts; records written later are not waited for. Values are fetched, since Kafka cannot fetch
 * keys alone, but never decoded. A topic's read stops as soon as every wanted id on it was seen, so a
 * topic holding several copies of the dataset costs about one copy.
 */
public final class PublishedBatchReader implements PublishedBatches {
    /** Per-partition fetch limit: a few lz4 batches of ~200 KB image records per request. */
    static final int MAX_PARTITION_FETCH_BYTES = 8 << 20;
    static final int FETCH_MAX_BYTES = 16 << 20;
    private static final Duration POLL = Duration.ofMillis(200);

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
        try (Consumer<String, byte[]> consumer = kafka.consumer(consumerProperties())) {
            for (Map.Entry<String, Set<String>> e : wanted.entrySet()) {
                found.put(e.getKey(), scan(consumer, e.getKey(), e.getValue(), deadline));
            }
        } catch (KafkaException e) {
            throw new DatasetException("cannot read the batch ids already published: " + e.getMessage()
                    + " (POST ...?force=true publishes without checking)", e);
        }
        return found;
    }

    /** This reader's settings over the connection settings: no group (a configured group.id is dropped). */
    Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, null);
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, null);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "fmnist-ingest-published-" + UUID.randomUUID().toString().substring(0, 8));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_PARTITION_FETCH_BYTES));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(FETCH_MAX_BYTES));
        return p;
    }

    private Set<String> scan(Consumer<String, byte[]> consumer, String topic, Set<String> wanted, long deadline) {
        Set<String> found = new HashSet<>();
        if (wanted.isEmpty()) {
            return found;
        }
        List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining(deadline, topic));
        if (infos == null || infos.isEmpty()) {
            throw new DatasetException("topic " + topic + " does not exist");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, remaining(deadline, topic));
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline, topic));
        List<TopicPartition> open = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (begin.get(tp) < end.get(tp)) {
                consumer.seek(tp, begin.get(tp));
                open.add(tp);
            }
        }
        consumer.pause(partitions.stream().filter(tp -> !open.contains(tp)).toList());
        while (!open.isEmpty() && found.size() < wanted.size()) {
            remaining(deadline, topic);
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                long stop = end.get(new TopicPartition(r.topic(), r.partition()));
                if (r.offset() < stop && r.key() != null && wanted.contains(r.key())) {
                    found.add(r.key());
                }
            }
            List<TopicPartition> done = new ArrayList<>();
            for (TopicPartition tp : open) {
                if (consumer.position(tp, remaining(deadline, topic)) >= end.get(tp)) {
                    done.add(tp);
                }
            }
            consumer.pause(done);
            open.removeAll(done);
        }
        consumer.unsubscribe();
        return found;
    }

    /** Time left before the deadline; fails the read when none is left. */
    private Duration remaining(long deadline, String topic) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new DatasetException("reading the batch ids already on " + topic + " took longer than "
                    + timeout.toSeconds() + " s (fmnist.ingest.skip-published-timeout); "
                    + "POST ...?force=true publishes without checking");
        }
        return Duration.ofNanos(left);
    }
}
