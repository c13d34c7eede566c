package dev.fmnist.support.kafka;

import io.smallrye.faulttolerance.api.Guard;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Follows one topic from the beginning on its own daemon thread, with no consumer group and no commits,
 * so every replica reads every record and takes no partitions away from anyone. After a failure (broker
 * away, topic setup failed) it reconnects after a backoff and continues at the remembered position of
 * each partition, so a record is handed over once per process; a topic that does not exist yet is looked
 * for again after the same backoff. The retries are {@link KafkaOutage}'s guard with a constant wait and no
 * end: a follower keeps following whatever failed (even a refused ACL an operator may grant later).
 *
 * <p>A record its handler throws on is logged with its coordinates and passed over: the position
 * advances, so one record a handler cannot take (a bug, a record no check foresaw) cannot stall the
 * follower by being read, refused and read again after every reconnection. A handler deals with its own
 * failures that a retry would fix (inference's followers dead-letter what they refuse and keep going); what
 * a record means, and what a refused record leaves behind (a metric, a
 * dead letter), is the {@link Handler}'s job.
 */
public final class TopicTail {
    private static final Logger LOG = Logger.getLogger(TopicTail.class);
    /** The longest wait for the topic's partitions before a retry (a broker away: the warning, then the backoff). */
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
    private final String name;
    private final String topic;
    private final KafkaClientFactory kafka;
    private final Map<String, Object> consumerSettings;
    private final Runnable prepare;
    private final Duration pollTimeout;
    private final Guard retry;
    private final Handler handler;
    /** Next offset to read per partition; guarded by this. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private volatile boolean running;
    private volatile Consumer<byte[], byte[]> consumer;
    private Thread thread;

    /** What the caller does with the records; the hooks run on the tail's thread. */
    public interface Handler {
        /** Once, on the thread, before the first connection (e.g. waiting for another topic's catch-up). */
        default void beforeReading() {
        }

        /** After every (re)connection, once all partitions are assigned at their positions. */
        default void assigned(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        }

        /** One record; its position is advanced after this returns or throws. */
        void handle(ConsumerRecord<byte[], byte[]> record);

        /** After the records of one poll were handled. */
        default void polled(Consumer<byte[], byte[]> consumer) {
        }
    }

    /**
     * @param name             names the thread and the retry log line ("snapshot consumer")
     * @param consumerSettings the caller's consumer settings (client id, deserializers, isolation),
     *                         laid over the service's connection settings by {@code kafka}
     * @param prepare          run before every connection (e.g. ensuring the topics exist)
     */
    public TopicTail(String name, String topic, KafkaClientFactory kafka, Map<String, Object> consumerSettings,
                     Runnable prepare, Duration pollTimeout, Duration retryBackoff, Handler handler) {
        this.name = name;
        this.topic = topic;
        this.kafka = kafka;
        this.consumerSettings = Map.copyOf(consumerSettings);
        this.prepare = prepare;
        this.pollTimeout = pollTimeout;
        this.handler = handler;
        this.retry = KafkaOutage.guard(e -> running && !(e instanceof Error), retryBackoff, retryBackoff, -1, e -> {
            if (e instanceof TopicMissing) {
                // another service creates it; polling an empty assignment would warn every backoff
                LOG.debugf("%s: %s; looked for again", name, e.getMessage());
            } else {
                LOG.warnf("%s failed (%s); retried after %s", name, e.getMessage(), retryBackoff);
            }
        });
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, name.replace(' ', '-'));
        thread.setDaemon(true);
        thread.start();
    }

    /** Wakes a blocked poll up and waits (bounded) for the thread to end. */
    public void stop() {
        running = false;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the thread is running. */
    public synchronized boolean alive() {
        return thread != null && thread.isAlive();
    }

    /** Waits until the record at {@code offset} of {@code partition} has been handled; false on timeout. */
    public synchronized boolean awaitRead(TopicPartition partition, long offset, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (positions.getOrDefault(partition, 0L) <= offset) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private synchronized void advance(TopicPartition partition, long next) {
        positions.put(partition, next);
        notifyAll();
    }

    private synchronized Long position(TopicPartition partition) {
        return positions.get(partition);
    }

    private void run() {
        handler.beforeReading();
        try {
            retry.call(() -> {
                prepare.run();
                consume();
                return null;
            }, Void.class);
        } catch (WakeupException e) {
            // stop() woke the poll up
        } catch (Exception e) {
            if (running) {
                LOG.errorf(e, "%s stopped: a retry cannot fix this failure", name);
            }
        }
    }

    /** The topic has no partitions (yet): retried like an outage, logged quietly. */
    private static final class TopicMissing extends RuntimeException {
        TopicMissing(String topic) {
            super("topic " + topic + " not there yet", null, false, false);
        }
    }

    private void consume() {
        try (Consumer<byte[], byte[]> c = kafka.consumer(consumerSettings)) {
            consumer = c;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = c.partitionsFor(topic, METADATA_TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new TopicMissing(topic);
            }
            c.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long next = position(tp);
                if (next == null) {
                    c.seekToBeginning(List.of(tp));
                } else {
                    c.seek(tp, next);
                }
            }
            handler.assigned(c, partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(pollTimeout)) {
                    try {
                        handler.handle(r);
                    } catch (RuntimeException e) {
                        LOG.errorf(e, "%s: passed over %s-%d@%d, which its handler refused", name, r.topic(),
                                r.partition(), r.offset());
                    }
                    advance(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                handler.polled(c);
            }
        } finally {
            consumer = null;
        }
    }
}
