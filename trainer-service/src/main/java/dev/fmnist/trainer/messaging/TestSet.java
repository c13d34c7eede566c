package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.support.kafka.BoundedTopicReader;
import dev.fmnist.trainer.model.SampleStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Every labelled image of {@link Topics#TEST}, kept in memory and brought up to date before each
 * evaluation by reading only what was appended since (the topic is append-only, retained forever).
 */
public final class TestSet implements AutoCloseable {
    private final Consumer<byte[], byte[]> consumer;
    private final BatchIntake intake;
    private final Duration timeout;
    private final Duration pollTimeout;
    private final List<TopicPartition> partitions;
    private final SampleStore store;
    private BatchIntake.Seen seen = new BatchIntake.Seen();
    private BatchIntake.Stats stats = new BatchIntake.Stats();
    private ByteBuffer direct;
    private byte[] labels = new byte[0];
    private int directCount = -1;
    /** Where the current refresh sends what it cannot use: the run's dead-letter sink. */
    private volatile BatchIntake.Rejects rejects = (r, reason) -> { };

    public TestSet(KafkaClients clients, int imageSize, Duration timeout, Duration pollTimeout) {
        this.consumer = clients.consumer("test-set");
        this.intake = new BatchIntake((r, reason) -> rejects.reject(r, reason), Set.of(Split.TEST));
        this.timeout = timeout;
        this.pollTimeout = pollTimeout;
        this.store = new SampleStore(imageSize, 10_000);
        this.partitions = BoundedTopicReader.partitions(consumer, Topics.TEST, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * Reads what was appended to the test topic since the last refresh; false if stopped. Unusable
     * records go to {@code deadLetters}.
     */
    public synchronized boolean refresh(BooleanSupplier stop, BatchIntake.Rejects deadLetters) {
        rejects = deadLetters;
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        try {
            return BoundedTopicReader.readToEnds(consumer, ends, pollTimeout, stop,
                    r -> intake.accept(r, seen, store, stats)) == BoundedTopicReader.Outcome.COMPLETE;
        } catch (RuntimeException e) {
            reset();
            throw e;
        }
    }

    public synchronized int count() {
        return store.count();
    }

    /** The labels, in the order of {@link #pixels()} (rebuilt only when the set grew). */
    public synchronized byte[] labels() {
        pixels();
        return labels;
    }

    /** All test pixels in one direct buffer (rebuilt only when the set grew). */
    public synchronized ByteBuffer pixels() {
        if (directCount != store.count()) {
            labels = store.labels();
            int bytes = store.count() * store.imageSize();
            if (direct == null || direct.capacity() < bytes) {
                direct = ByteBuffer.allocateDirect(Math.max(1, bytes)).order(ByteOrder.nativeOrder());
            }
            direct.clear();
            store.copyAllPixels(direct);
            direct.flip();
            directCount = store.count();
        }
        return direct.duplicate();
    }

    /**
     * Forgets what was read, so the next read starts over from the beginning: after a read that failed
     * part-way, records a failed handler had already taken from the consumer must not be lost.
     */
    private void reset() {
        store.clear();
        seen = new BatchIntake.Seen();
        stats = new BatchIntake.Stats();
        consumer.seekToBeginning(partitions);
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
