package dev.fmnist.trainer.service;

import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshot.SourceOffset;
import dev.fmnist.trainer.messaging.BatchIntake;
import dev.fmnist.trainer.messaging.DatasetReadiness;
import dev.fmnist.trainer.messaging.DeadLetterSink;
import dev.fmnist.trainer.messaging.EpochSource;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.messaging.SnapshotStore;
import dev.fmnist.trainer.messaging.TestSet;
import dev.fmnist.trainer.model.SampleStore;
import dev.fmnist.trainer.model.ShuffleOrder;
import dev.fmnist.trainer.model.SoftmaxRegression;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * One training run against Kafka, in plain Java (the Quarkus service, the integration test and the
 * benchmark all drive this class): resume from the model's latest snapshot, wait for the data,
 * train the remaining epochs (each replays the train topic), evaluate on the whole test topic and
 * publish a snapshot after each epoch, then optionally keep training online on new records.
 * Runs on the caller's thread until done or until {@code stop} answers true.
 */
public final class Trainer {
    private static final Logger LOG = Logger.getLogger(Trainer.class);
    private static final int INPUTS = WeightSnapshot.INPUTS;
    private static final int OUTPUTS = WeightSnapshot.OUTPUTS;

    /** Where a run is. */
    public enum State { IDLE, WAITING_FOR_KAFKA, WAITING_FOR_DATA, TRAINING, CONTINUOUS, COMPLETED, STOPPED, FAILED }

    /** Progress callbacks, all on the training thread. */
    public interface Listener {
        default void state(State state, String detail) {
        }

        default void resumed(WeightSnapshot from) {
        }

        default void step(long step, int samples, long nanos) {
        }

        default void epoch(EpochSummary summary) {
        }

        default void snapshot(WeightSnapshot snapshot) {
        }

        default void deadLettered(String reason) {
        }
    }

    /** How a run ended. */
    public record Result(State state, int epoch, long step, long modelVersion, List<EpochSummary> history) {
    }

    private final KafkaClients clients;
    private final TrainingSettings settings;
    private final Listener listener;
    private final float lr;

    private long version;
    private int epoch;
    private long step;
    private List<SourceOffset> lineage = List.of();
    private final List<EpochSummary> history = new ArrayList<>();

    public Trainer(KafkaClients clients, TrainingSettings settings, Listener listener) {
        this.clients = clients;
        this.settings = settings.validate();
        this.listener = listener;
        this.lr = (float) settings.learningRate();
    }

    public Result run(BooleanSupplier stop) {
        Duration timeout = settings.kafkaTimeout();
        try (Producer<byte[], byte[]> producer = clients.producer("trainer")) {
            DeadLetterSink deadLetters = new DeadLetterSink(producer, listener::deadLettered);
            deadLetters.loadReported(clients, timeout);
            SnapshotStore snapshots = new SnapshotStore(clients, producer, timeout);
            WeightSnapshot latest = snapshots.read(settings.modelName()).latest();
            version = latest == null ? 0 : latest.version();
            boolean resume = settings.resume() && latest != null;
            if (resume) {
                epoch = latest.epoch();
                step = latest.step();
                lineage = latest.lineage();
                LOG.infof("resuming %s from snapshot v%d: %d epochs done, step %d", settings.modelName(), version,
                        epoch, step);
                listener.resumed(latest);
            } else {
                LOG.infof("starting %s from a fresh W (seed %d); next version v%d", settings.modelName(),
                        settings.seed(), version + 1);
            }
            try (SoftmaxRegression model = resume
                    ? SoftmaxRegression.of(INPUTS, OUTPUTS, latest.weights(), latest.bias())
                    : SoftmaxRegression.initialize(INPUTS, OUTPUTS, settings.seed())) {
                if (epoch < settings.epochs()) {
                    if (settings.waitForData() && !awaitData(stop)) {
                        return result(State.STOPPED);
                    }
                    if (!trainEpochs(model, snapshots, deadLetters, stop)) {
                        return result(State.STOPPED);
                    }
                } else {
                    LOG.infof("%s has completed its %d planned epochs: no retraining", settings.modelName(), epoch);
                }
                if (settings.continuous()) {
                    trainContinuously(model, snapshots, deadLetters, stop);
                    return result(State.STOPPED);
                }
                return result(State.COMPLETED);
            }
        }
    }

    private Result result(State state) {
        return new Result(state, epoch, step, version, List.copyOf(history));
    }

    private boolean awaitData(BooleanSupplier stop) {
        try (DatasetReadiness readiness = new DatasetReadiness(clients, settings.kafkaTimeout())) {
            while (!readiness.check(stop)) {
                listener.state(State.WAITING_FOR_DATA, readiness.reason());
                if (!sleep(settings.readyPollInterval(), stop)) {
                    return false;
                }
            }
            return true;
        }
    }

    private boolean trainEpochs(SoftmaxRegression model, SnapshotStore snapshots, DeadLetterSink deadLetters,
                                BooleanSupplier stop) {
        int batchSize = settings.batchSize();
        try (EpochSource source = new EpochSource(clients, deadLetters, settings.kafkaTimeout(), settings.pollTimeout());
             TestSet testSet = new TestSet(clients, deadLetters, INPUTS, settings.kafkaTimeout(), settings.pollTimeout())) {
            SampleStore store = new SampleStore(INPUTS, 60_000);
            ByteBuffer x = SoftmaxRegression.directBuffer(batchSize * INPUTS);
            int[] y = new int[batchSize];
            for (int e = epoch + 1; e <= settings.epochs(); e++) {
                listener.state(State.TRAINING, "epoch " + e + " of " + settings.epochs());
                long t0 = System.nanoTime();
                EpochSource.EpochRead read = source.read(store, stop);
                if (read == null) {
                    return false;
                }
                int count = store.count();
                if (count == 0) {
                    throw new IllegalStateException("the train topic holds no labelled images (" + read.stats() + ")");
                }
                long t1 = System.nanoTime();
                int[] order = ShuffleOrder.of(count, settings.shuffleBuffer(), settings.seed(), e);
                long t2 = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                long steps = 0;
                long sinceSnapshot = 0;
                long lastSnapshot = System.nanoTime();
                for (int start = 0; start < count; start += batchSize) {
                    if (stop.getAsBoolean()) {
                        return false;
                    }
                    int n = Math.min(batchSize, count - start);
                    x.clear();
                    for (int i = 0; i < n; i++) {
                        int sample = order[start + i];
                        store.copyPixels(sample, x);
                        y[i] = store.label(sample);
                    }
                    x.flip();
                    long s0 = System.nanoTime();
                    SoftmaxRegression.StepResult r = model.stepPixels(x, y, n, lr);
                    long took = System.nanoTime() - s0;
                    step++;
                    steps++;
                    sinceSnapshot++;
                    lossSum += r.lossSum();
                    correct += r.correct();
                    listener.step(step, n, took);
                    if (periodicSnapshotDue(sinceSnapshot, lastSnapshot, settings.snapshotInterval())) {
                        int seen = start + n;
                        publish(snapshots, model, e - 1,
                                new WeightSnapshot.Metrics(lossSum / seen, (double) correct / seen, Double.NaN),
                                read.lineage());
                        sinceSnapshot = 0;
                        lastSnapshot = System.nanoTime();
                    }
                }
                long t3 = System.nanoTime();
                if (!testSet.refresh(stop)) {
                    return false;
                }
                double testAccuracy = evaluate(model, testSet);
                long t4 = System.nanoTime();
                epoch = e;
                lineage = read.lineage();
                double trainLoss = lossSum / count;
                double trainAccuracy = (double) correct / count;
                WeightSnapshot published = publish(snapshots, model, e,
                        new WeightSnapshot.Metrics(trainLoss, trainAccuracy, testAccuracy), lineage);
                long t5 = System.nanoTime();
                EpochSummary summary = new EpochSummary(e, trainLoss, trainAccuracy, testAccuracy, seconds(t5 - t0),
                        published.version(), count, steps, testSet.count(), seconds(t1 - t0), seconds(read.decodeNanos()),
                        seconds(t2 - t1),
                        seconds(t3 - t2), seconds(t4 - t3), seconds(t5 - t4));
                history.add(summary);
                LOG.infof("epoch %d, loss %.4f, train acc %.3f, test acc %.3f, %.2f s (model v%d)", e, trainLoss,
                        trainAccuracy, testAccuracy, summary.seconds(), published.version());
                listener.epoch(summary);
            }
            return true;
        }
    }

    private boolean periodicSnapshotDue(long sinceSnapshot, long lastSnapshotNanos, Duration interval) {
        if (sinceSnapshot == 0) {
            return false;
        }
        if (settings.snapshotEverySteps() > 0 && sinceSnapshot >= settings.snapshotEverySteps()) {
            return true;
        }
        return !interval.isZero() && System.nanoTime() - lastSnapshotNanos >= interval.toNanos();
    }

    /**
     * Online SGD on what is appended to the train topic after the last epoch's lineage: each poll's
     * labelled images, in arrival order, in minibatches of up to the batch size. A snapshot goes out
     * every {@code snapshotEverySteps} steps or {@code continuousSnapshotInterval}, and on stop.
     */
    private void trainContinuously(SoftmaxRegression model, SnapshotStore snapshots, DeadLetterSink deadLetters,
                                   BooleanSupplier stop) {
        listener.state(State.CONTINUOUS, "training on new records of " + Topics.TRAIN);
        LOG.infof("continuous mode: training on records appended to %s", Topics.TRAIN);
        int batchSize = settings.batchSize();
        BatchIntake intake = new BatchIntake(deadLetters, Set.of(Split.TRAIN, Split.USER));
        try (var consumer = clients.tailConsumer("train-continuous");
             TestSet testSet = new TestSet(clients, deadLetters, INPUTS, settings.kafkaTimeout(), settings.pollTimeout())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TRAIN, settings.kafkaTimeout()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                long next = lineage.stream().filter(o -> o.topic().equals(tp.topic()) && o.partition() == tp.partition())
                        .mapToLong(SourceOffset::offset).findFirst().orElse(-1);
                if (next >= 0) {
                    consumer.seek(tp, next);
                } else {
                    consumer.seekToEnd(List.of(tp));
                }
            }
            Set<String> seen = new HashSet<>();
            SampleStore pending = new SampleStore(INPUTS, batchSize);
            BatchIntake.Stats stats = new BatchIntake.Stats();
            ByteBuffer x = SoftmaxRegression.directBuffer(batchSize * INPUTS);
            int[] y = new int[batchSize];
            double lossSum = 0;
            long correct = 0;
            long samples = 0;
            long sinceSnapshot = 0;
            long lastSnapshot = System.nanoTime();
            while (true) {
                boolean stopping = stop.getAsBoolean();
                if (!stopping) {
                    pending.clear();
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(settings.pollTimeout())) {
                        intake.accept(r, seen, pending, stats);
                    }
                    for (int start = 0; start < pending.count(); start += batchSize) {
                        int n = Math.min(batchSize, pending.count() - start);
                        x.clear();
                        for (int i = 0; i < n; i++) {
                            pending.copyPixels(start + i, x);
                            y[i] = pending.label(start + i);
                        }
                        x.flip();
                        long s0 = System.nanoTime();
                        SoftmaxRegression.StepResult r = model.stepPixels(x, y, n, lr);
                        step++;
                        sinceSnapshot++;
                        samples += n;
                        lossSum += r.lossSum();
                        correct += r.correct();
                        listener.step(step, n, System.nanoTime() - s0);
                    }
                }
                boolean due = sinceSnapshot > 0 && (stopping
                        || (settings.snapshotEverySteps() > 0 && sinceSnapshot >= settings.snapshotEverySteps())
                        || System.nanoTime() - lastSnapshot >= settings.continuousSnapshotInterval().toNanos());
                if (due) {
                    List<SourceOffset> positions = new ArrayList<>();
                    for (TopicPartition tp : partitions) {
                        positions.add(new SourceOffset(tp.topic(), tp.partition(), consumer.position(tp)));
                    }
                    testSet.refresh(() -> false);
                    lineage = positions;
                    publish(snapshots, model, epoch,
                            new WeightSnapshot.Metrics(lossSum / samples, (double) correct / samples,
                                    evaluate(model, testSet)), positions);
                    LOG.infof("continuous: %d steps on %d new samples, loss %.4f, train acc %.3f (model v%d)",
                            sinceSnapshot, samples, lossSum / samples, (double) correct / samples, version);
                    lossSum = 0;
                    correct = 0;
                    samples = 0;
                    sinceSnapshot = 0;
                    lastSnapshot = System.nanoTime();
                }
                if (stopping) {
                    return;
                }
            }
        }
    }

    private double evaluate(SoftmaxRegression model, TestSet testSet) {
        if (testSet.count() == 0) {
            return Double.NaN;
        }
        int right = model.countCorrectPixels(testSet.pixels(), testSet.labels(), testSet.count(), settings.evalChunk());
        return (double) right / testSet.count();
    }

    private WeightSnapshot publish(SnapshotStore snapshots, SoftmaxRegression model, int epochs,
                                   WeightSnapshot.Metrics metrics, List<SourceOffset> offsets) {
        WeightSnapshot s = new WeightSnapshot(settings.modelName(), version + 1, epochs, step, model.weights(),
                model.bias(), new WeightSnapshot.Hyperparameters(settings.learningRate(), settings.batchSize(),
                        settings.seed()), metrics, offsets, Instant.now());
        snapshots.publish(s);
        version = s.version();
        listener.snapshot(s);
        return s;
    }

    private static boolean sleep(Duration d, BooleanSupplier stop) {
        long deadline = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < deadline) {
            if (stop.getAsBoolean()) {
                return false;
            }
            try {
                Thread.sleep(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !stop.getAsBoolean();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
