package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot.SourceOffset;
import dev.fmnist.trainer.model.SampleStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * One epoch of training data, read from {@link Topics#TRAIN}: from the beginning of every partition
 * up to the end offsets taken when the epoch starts. Kafka is the dataset; the epoch is held in
 * memory only while it is trained on. Splits TRAIN and USER both train.
 */
public final class EpochSource implements AutoCloseable {
    private final Consumer<byte[], byte[]> consumer;
    private final BatchIntake intake;
    private final Duration timeout;
    private final Duration pollTimeout;
    private final List<TopicPartition> partitions;

    /** What one replay read; {@code decodeNanos} is the part of {@code nanos} spent decoding and copying. */
    public record EpochRead(List<SourceOffset> lineage, BatchIntake.Stats stats, long nanos, long decodeNanos) {
    }

    public EpochSource(KafkaClients clients, DeadLetterSink deadLetters, Duration timeout, Duration pollTimeout) {
        this.consumer = clients.consumer("train-epoch");
        this.intake = new BatchIntake(deadLetters::report, Set.of(Split.TRAIN, Split.USER));
        this.timeout = timeout;
        this.pollTimeout = pollTimeout;
        this.partitions = TopicReader.partitions(consumer, Topics.TRAIN, timeout);
        consumer.assign(partitions);
    }

    /** Replays the topic into {@code store} (cleared first); null when stopped before the end. */
    public EpochRead read(SampleStore store, BooleanSupplier stop) {
        long start = System.nanoTime();
        store.clear();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        consumer.seekToBeginning(partitions);
        Set<String> seen = new HashSet<>();
        BatchIntake.Stats stats = new BatchIntake.Stats();
        long[] decode = {0};
        boolean complete = TopicReader.readUntil(consumer, ends, pollTimeout, stop, r -> {
            long t = System.nanoTime();
            intake.accept(r, seen, store, stats);
            decode[0] += System.nanoTime() - t;
        });
        if (!complete) {
            return null;
        }
        List<SourceOffset> lineage = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            lineage.add(new SourceOffset(tp.topic(), tp.partition(), ends.get(tp)));
        }
        return new EpochRead(lineage, stats, System.nanoTime() - start, decode[0]);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
