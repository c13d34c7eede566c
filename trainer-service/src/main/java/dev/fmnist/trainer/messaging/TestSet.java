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
    private final BatchIntake.Seen seen = new BatchIntake.Seen();
    private final BatchIntake.Stats stats = new BatchIntake.Stats();
    private ByteBuffer direct;
    private int directCount = -1;

    public TestSet(KafkaClients clients, DeadLetterSink deadLetters, int imageSize, Duration timeout,
                   Duration pollTimeout) {
        this.consumer = clients.consumer("test-set");
        this.intake = new BatchIntake(deadLetters::report, Set.of(Split.TEST));
        this.timeout = timeout;
        this.pollTimeout = pollTimeout;
        this.store = new SampleStore(imageSize, 10_000);
        this.partitions = BoundedTopicReader.partitions(consumer, Topics.TEST, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what was appended to the test topic since the last refresh; false if stopped. */
    public boolean refresh(BooleanSupplier stop) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        return BoundedTopicReader.readToEnds(consumer, ends, pollTimeout, stop, r -> intake.accept(r, seen, store, stats))
                == BoundedTopicReader.Outcome.COMPLETE;
    }

    public int count() {
        return store.count();
    }

    public byte[] labels() {
        return store.labels();
    }

    /** All test pixels in one direct buffer (rebuilt only when the set grew). */
    public ByteBuffer pixels() {
        if (directCount != store.count()) {
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

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
