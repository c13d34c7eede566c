package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot.SourceOffset;
import dev.fmnist.contracts.memory.ByteBudget;
import dev.fmnist.support.kafka.BoundedTopicReader;
import dev.fmnist.trainer.model.SampleStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The training data of {@link Topics#TRAIN} for the epochs: every labelled image from the beginning
 * of every partition up to the end offsets taken when an epoch starts. The topic is append-only and
 * retained forever, so an epoch's data is the previous epoch's plus what was appended since: the
 * samples are held once, as uint8 in topic order (47 MB for Fashion-MNIST), and each {@link #read}
 * fetches only the new records instead of replaying the topic. Splits TRAIN and USER both train.
 */
public final class EpochSource implements AutoCloseable {
    /**
     * The share of the heap the train images may take: with serial collection the old generation is two
     * thirds of the heap, and the test set, the decoded batches in flight and the service itself need the
     * rest (docs/operations.md, JVM memory). 86 MB of a 192 MB heap: about 110,000 images.
     */
    static final double HEAP_SHARE = 0.45;
    private final Consumer<byte[], byte[]> consumer;
    private final BatchIntake intake;
    private final Duration timeout;
    private final Duration pollTimeout;
    private final List<TopicPartition> partitions;
    private final SampleStore store;
    /** Batches and image positions taken so far: data published twice counts once, across reads too. */
    private BatchIntake.Seen seen = new BatchIntake.Seen();
    private BatchIntake.Stats stats = new BatchIntake.Stats();

    /**
     * What one read brought; {@code stats} count every read so far, {@code decodeNanos} is the part
     * of {@code nanos} spent decoding and copying.
     */
    public record EpochRead(List<SourceOffset> lineage, BatchIntake.Stats stats, long nanos, long decodeNanos) {
    }

    /** Where the current read sends what it cannot use: the run's dead-letter sink. */
    private volatile BatchIntake.Rejects rejects = (r, reason) -> { };

    public EpochSource(KafkaClients clients, int imageSize, Duration timeout, Duration pollTimeout) {
        this.consumer = clients.consumer("train-epoch");
        this.intake = new BatchIntake((r, reason) -> rejects.reject(r, reason), Set.of(Split.TRAIN, Split.USER));
        this.timeout = timeout;
        this.pollTimeout = pollTimeout;
        this.store = new SampleStore(imageSize, 60_000, ByteBudget.heapShare(HEAP_SHARE));
        this.partitions = BoundedTopicReader.partitions(consumer, Topics.TRAIN, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The samples read so far, in topic order (valid until the next {@link #read}). */
    public SampleStore store() {
        return store;
    }

    /**
     * Brings {@link #store()} up to the end offsets taken now (the whole topic on the first call);
     * null when stopped before the end (a later call goes on from where this one stopped). Unusable
     * records go to {@code deadLetters}.
     */
    public synchronized EpochRead read(BooleanSupplier stop, BatchIntake.Rejects deadLetters) {
        rejects = deadLetters;
        long start = System.nanoTime();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        long[] decode = {0};
        boolean complete;
        try {
            complete = BoundedTopicReader.readToEnds(consumer, ends, pollTimeout, stop, r -> {
                long t = System.nanoTime();
                intake.accept(r, seen, store, stats);
                decode[0] += System.nanoTime() - t;
            }) == BoundedTopicReader.Outcome.COMPLETE;
        } catch (RuntimeException e) {
            reset();
            throw e;
        }
        if (!complete) {
            return null;
        }
        List<SourceOffset> lineage = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            lineage.add(new SourceOffset(tp.topic(), tp.partition(), ends.get(tp)));
        }
        return new EpochRead(lineage, stats, System.nanoTime() - start, decode[0]);
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
