package dev.fmnist.ingest.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads partition 0 of a topic with a plain consumer (no group): end offset, and records in a range. */
public final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;

    public TopicReader(String bootstrap) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "ingest-it-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 << 20),
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 << 20),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    }

    public long end(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        return consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
    }

    /** Records with offsets from (inclusive) to the current end. */
    public List<ConsumerRecord<String, byte[]>> readFrom(String topic, long from) {
        return read(topic, from, end(topic));
    }

    /** Records with offsets in [from, to). */
    public List<ConsumerRecord<String, byte[]>> read(String topic, long from, long to) {
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.position(tp) < to) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out reading " + topic + " " + from + ".." + to + " at " + consumer.position(tp));
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() < to) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
