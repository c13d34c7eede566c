package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.WeightSnapshot.SourceOffset;
import dev.fmnist.support.kafka.BoundedTopicReader;
import dev.fmnist.trainer.model.SampleStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One image topic as this process holds it, read by one consumer: the first {@link #refresh} reads the
 * topic from the beginning of every partition, each later one only what was appended since (the topic is
 * append-only and kept forever, so what was read stays valid). Each record is decoded once by
 * {@link BatchIntake} (deduplicated, unusable records dead-lettered, every decoded batch shown to the
 * readiness rule) and its labelled images kept in one {@link SampleStore} in topic order. Readiness, the
 * epochs, evaluation and continuous training ({@link Tail}) all read this copy.
 */
public final class TopicMirror implements AutoCloseable {
    private final Consumer<byte[], byte[]> consumer;
    private final BatchIntake intake;
    private final Duration timeout;
    private final Duration pollTimeout;
    private final List<TopicPartition> partitions;
    private final SampleStore store;
    /** Which store indexes each record added (records that added none are left out), in read order. */
    private final List<Taken> taken = new ArrayList<>();
    /** Batches and image positions taken so far: data published twice counts once, across refreshes too. */
    private BatchIntake.Seen seen = new BatchIntake.Seen();
    private BatchIntake.Stats stats = new BatchIntake.Stats();
    /** Where the current refresh sends what it cannot use: the run's dead-letter sink. */
    private volatile BatchIntake.Rejects rejects = (r, reason) -> { };
    private long decodeNanos;
    /** The store as one direct buffer for evaluation, rebuilt only when the store grew. */
    private ByteBuffer direct;
    private byte[] labels = new byte[0];
    private int directCount = -1;
    /** How many times a failed refresh made the mirror start over (a {@link Tail} then looks at {@code taken} anew). */
    private int restarts;

    private record Taken(int partition, long offset, int from, int to) {
    }

    /** What a refresh reached; {@code stats} count every record so far, {@code decodeNanos}: this refresh's decoding. */
    public record Read(List<SourceOffset> lineage, BatchIntake.Stats stats, long decodeNanos) {
    }

    /**
     * @param accepted the splits that belong on the topic (others are dead letters)
     * @param observer shown every batch that decodes (the readiness rule)
     */
    public TopicMirror(KafkaClients clients, String topic, Set<Split> accepted, SampleStore store, Duration timeout,
                       Duration pollTimeout, java.util.function.Consumer<ImageBatch> observer) {
        this.consumer = clients.consumer("mirror-" + topic);
        this.intake = new BatchIntake((r, reason) -> rejects.reject(r, reason), accepted, observer);
        this.store = store;
        this.timeout = timeout;
        this.pollTimeout = pollTimeout;
        this.partitions = BoundedTopicReader.partitions(consumer, topic, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The samples read so far, in topic order (valid until the next {@link #refresh}). */
    public SampleStore store() {
        return store;
    }

    /**
     * Brings {@link #store()} up to the end offsets taken now; null when stopped before them (a later
     * call goes on from where this one stopped). Unusable records go to {@code deadLetters}. A refresh
     * that fails part-way forgets everything, so the next one starts over from the beginning: records a
     * failed handler had already taken from the consumer must not be lost.
     */
    public synchronized Read refresh(BooleanSupplier stop, BatchIntake.Rejects deadLetters) {
        rejects = deadLetters;
        long decodedBefore = decodeNanos;
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        try {
            if (BoundedTopicReader.readToEnds(consumer, ends, pollTimeout, stop, this::take)
                    != BoundedTopicReader.Outcome.COMPLETE) {
                return null;
            }
        } catch (RuntimeException e) {
            store.clear();
            taken.clear();
            seen = new BatchIntake.Seen();
            stats = new BatchIntake.Stats();
            consumer.seekToBeginning(partitions);
            restarts++;
            throw e;
        }
        List<SourceOffset> lineage = partitions.stream()
                .map(tp -> new SourceOffset(tp.topic(), tp.partition(), ends.get(tp))).toList();
        return new Read(lineage, stats, decodeNanos - decodedBefore);
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        long t = System.nanoTime();
        int before = store.count();
        intake.accept(r, seen, store, stats);
        if (store.count() > before) {
            taken.add(new Taken(r.partition(), r.offset(), before, store.count()));
        }
        decodeNanos += System.nanoTime() - t;
    }

    public synchronized int count() {
        return store.count();
    }

    /** The labels, in the order of {@link #pixels()}. */
    public synchronized byte[] labels() {
        pixels();
        return labels;
    }

    /** Every sample's pixels in one direct buffer (for evaluation in large chunks). */
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
     * Follows the topic from {@code from} (the lineage of the snapshot continuous training starts at;
     * a partition it does not name is followed from its end now).
     */
    public synchronized Tail tail(List<SourceOffset> from) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        Map<Integer, Long> next = new HashMap<>();
        for (TopicPartition tp : partitions) {
            next.put(tp.partition(), from.stream().filter(o -> o.topic().equals(tp.topic()) && o.partition() == tp.partition())
                    .mapToLong(SourceOffset::offset).findFirst().orElse(ends.get(tp)));
        }
        return new Tail(next);
    }

    /**
     * Continuous training's position in the topic: the images of the records at or after it, whether
     * the mirror had read them already or reads them now, each handed over once.
     */
    public final class Tail {
        private final Map<Integer, Long> next;
        /** Entries of {@code taken} already looked at, since the mirror's start-over number {@code restartsSeen}. */
        private int looked;
        private int restartsSeen = restarts;

        private Tail(Map<Integer, Long> next) {
            this.next = next;
        }

        /** Refreshes the mirror; the store indexes of the labelled images not handed over yet, in topic order. */
        public int[] next(BooleanSupplier stop, BatchIntake.Rejects deadLetters) {
            synchronized (TopicMirror.this) {
                refresh(stop, deadLetters);
                if (restartsSeen != restarts) {
                    // the mirror read everything again, maybe in another order: what was handed over is behind `next`
                    looked = 0;
                    restartsSeen = restarts;
                }
                IntStream.Builder fresh = IntStream.builder();
                for (; looked < taken.size(); looked++) {
                    Taken t = taken.get(looked);
                    if (t.offset() >= next.get(t.partition())) {
                        IntStream.range(t.from(), t.to()).forEach(fresh::add);
                    }
                }
                for (TopicPartition tp : partitions) {
                    next.merge(tp.partition(), consumer.position(tp), Math::max);
                }
                return fresh.build().toArray();
            }
        }

        /** The next offset of every partition: the lineage of a snapshot of what was handed over. */
        public List<SourceOffset> lineage() {
            synchronized (TopicMirror.this) {
                return partitions.stream().map(tp -> new SourceOffset(tp.topic(), tp.partition(), next.get(tp.partition())))
                        .toList();
            }
        }
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
