package dev.fmnist.support.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * "Read a topic to its end offsets", once for every service: an assigned (group-less) consumer polls
 * from its current positions until each partition has reached a fixed end offset, so records written
 * meanwhile are not waited for. A partition that has reached its end is paused (no more fetches for
 * it); a {@code stop} condition, checked before every poll, ends the read early (a deadline passed,
 * the service stopping, everything wanted already seen).
 */
public final class BoundedTopicReader {
    private static final Duration SCAN_POLL = Duration.ofMillis(200);

    private BoundedTopicReader() {
    }

    /** How a read ended. */
    public enum Outcome {
        /** Every partition was read to its end offset. */
        COMPLETE,
        /** {@code stop} answered true first. */
        STOPPED,
        /** {@link #scan}'s time limit passed first. */
        TIMED_OUT
    }

    /**
     * The topic's partitions, by number.
     *
     * @throws IllegalStateException when the topic does not exist
     */
    public static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic, Duration timeout) {
        var infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist (Topics.ensure creates it)");
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    /**
     * Polls from the consumer's current positions until every partition of {@code ends} has reached
     * its end offset, or {@code stop} answers true. Records at or past their end offset are not handed
     * over; afterwards the consumer is moved back to the end offsets (and nothing is left paused), so an
     * incremental reader sees those records on its next call.
     */
    public static <K, V> Outcome readToEnds(Consumer<K, V> consumer, Map<TopicPartition, Long> ends, Duration pollTimeout,
                                            BooleanSupplier stop, java.util.function.Consumer<ConsumerRecord<K, V>> handler) {
        List<TopicPartition> open = new ArrayList<>();
        List<TopicPartition> done = new ArrayList<>();
        for (var e : ends.entrySet()) {
            (consumer.position(e.getKey()) < e.getValue() ? open : done).add(e.getKey());
        }
        consumer.pause(done);
        try {
            while (!open.isEmpty()) {
                if (stop.getAsBoolean()) {
                    return Outcome.STOPPED;
                }
                for (ConsumerRecord<K, V> r : consumer.poll(pollTimeout)) {
                    Long end = ends.get(new TopicPartition(r.topic(), r.partition()));
                    if (end != null && r.offset() < end) {
                        handler.accept(r);
                    }
                }
                List<TopicPartition> reached = open.stream().filter(tp -> consumer.position(tp) >= ends.get(tp)).toList();
                consumer.pause(reached);
                open.removeAll(reached);
            }
            return Outcome.COMPLETE;
        } finally {
            for (var e : ends.entrySet()) {
                if (consumer.position(e.getKey()) > e.getValue()) {
                    consumer.seek(e.getKey(), e.getValue());
                }
            }
            consumer.resume(consumer.paused());
        }
    }

    /**
     * Reads a whole topic once: assigns all its partitions to {@code consumer}, from the beginning to
     * the end offsets taken now.
     *
     * @param limit how long the whole read may take; past it the read ends as {@link Outcome#TIMED_OUT}
     * @param stop  ends the read early (e.g. once everything wanted was seen), as {@link Outcome#STOPPED}
     */
    public static <K, V> Outcome scan(Consumer<K, V> consumer, String topic, Duration limit, BooleanSupplier stop,
                                      java.util.function.Consumer<ConsumerRecord<K, V>> handler) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<TopicPartition> partitions = partitions(consumer, topic, limit);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, remaining(deadline));
        boolean[] late = {false};
        Outcome outcome = readToEnds(consumer, ends, SCAN_POLL,
                () -> stop.getAsBoolean() || (late[0] = System.nanoTime() >= deadline), handler);
        return late[0] ? Outcome.TIMED_OUT : outcome;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }
}
