package dev.fmnist.ingest.testing;

import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Partition 0 of a topic by offsets (end offset, records in a range), read with SmallRye's KafkaCompanion:
 * ingest publishes without transactions, so a range of n offsets holds n records.
 */
public final class TopicReader implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final KafkaCompanion kafka;

    public TopicReader(String bootstrap) {
        kafka = new KafkaCompanion(bootstrap, TIMEOUT);
    }

    public long end(String topic) {
        return kafka.offsets().get(new TopicPartition(topic, 0), OffsetSpec.latest()).offset();
    }

    /** Records with offsets from (inclusive) to the current end. */
    public List<ConsumerRecord<String, byte[]>> readFrom(String topic, long from) {
        return read(topic, from, end(topic));
    }

    /** Records with offsets in [from, to). */
    public List<ConsumerRecord<String, byte[]>> read(String topic, long from, long to) {
        if (to <= from) {
            return List.of();
        }
        return kafka.consume(String.class, byte[].class)
                .withProps(Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20,
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20))
                .fromOffsets(Map.of(new TopicPartition(topic, 0), from), to - from)
                .awaitCompletion(TIMEOUT).getRecords();
    }

    @Override
    public void close() {
        kafka.close();
    }
}
