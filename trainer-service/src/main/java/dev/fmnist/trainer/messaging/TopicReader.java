package dev.fmnist.trainer.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Reading a topic up to a fixed set of end offsets, with an assigned (group-less) consumer. */
final class TopicReader {
    private TopicReader() {
    }

    static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic, Duration timeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist (Topics.ensure creates it)");
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    /**
     * Polls from the consumer's current positions until every partition has reached its end offset
     * in {@code ends}; records at or past the end offset are not handed over, and the consumer is
     * moved back to the end offset so that an incremental reader sees them on its next call.
     * Returns false if stopped first.
     */
    static boolean readUntil(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends, Duration pollTimeout,
                             BooleanSupplier stop, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        while (!reached(consumer, ends)) {
            if (stop.getAsBoolean()) {
                return false;
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Long end = ends.get(new TopicPartition(r.topic(), r.partition()));
                if (end != null && r.offset() < end) {
                    handler.accept(r);
                }
            }
        }
        for (var e : ends.entrySet()) {
            if (consumer.position(e.getKey()) > e.getValue()) {
                consumer.seek(e.getKey(), e.getValue());
            }
        }
        return true;
    }

    /**
     * Reads a whole bookkeeping topic (snapshots, dead letters) once: a fresh assigned consumer from
     * the beginning to the end offsets taken now. Fails once {@code 4 x timeout} has passed, so a
     * stalled fetch fails the run instead of hanging it.
     */
    static void scan(KafkaClients clients, String topic, Duration timeout,
                     java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        try (Consumer<byte[], byte[]> consumer = clients.consumer(topic + "-scan")) {
            List<TopicPartition> partitions = partitions(consumer, topic, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Duration limit = timeout.multipliedBy(4);
            long deadline = System.nanoTime() + limit.toNanos();
            if (!readUntil(consumer, ends, Duration.ofMillis(200), () -> System.nanoTime() > deadline, handler)) {
                throw new org.apache.kafka.common.errors.TimeoutException(topic + " not read to its end offsets within " + limit);
            }
        }
    }

    private static boolean reached(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (var e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
