package dev.fmnist.trainer.service;

import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshot.SourceOffset;
import dev.fmnist.trainer.messaging.BatchIntake;
import dev.fmnist.trainer.messaging.DatasetReadiness;
import dev.fmnist.trainer.messaging.DeadLetterSink;
import dev.fmnist.trainer.messaging.EpochSource;
import dev.fmnist.trainer.messaging.FencedException;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.messaging.SnapshotStore;
import dev.fmnist.trainer.messaging.TestSet;
import dev.fmnist.trainer.model.SampleStore;
import dev.fmnist.trainer.model.ShuffleOrder;
import dev.fmnist.trainer.model.SoftmaxRegression;
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
    public enum State { IDLE, WAITING_FOR_KAFKA, WAITING_FOR_DATA, TRAINING, CONTINUOUS, COMPLETED, STOPPED, FAILED,
        /** Another trainer of the same model took over its transactional id: this one stopped for good. */
        FENCED }

    /** Progress callbacks, all on the training thread. */
    public interface Listener {
        default void state(State state, String detail) {
        }

        default void resumed(WeightSnapshot from) {
        }

        /** The run follows the plan recorded in the snapshot it resumed from: these settings. */
        default void followingPlan(TrainingSettings settings) {
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
    public record Result(State state, int epoch, long step, long modelVersion, String detail) {
    }

    /**
     * How snapshots are written and trusted.
     *
     * @param signing    signs new snapshots and verifies the resumed one; null = unsigned (auth disabled)
     * @param retain     versions kept on the topic (older ones are tombstoned)
     * @param followPlan resume an unfinished run with its recorded plan (target epochs, hyperparameters)
     *                   instead of the settings; false when a request set its own
     */
    public record Snapshots(SnapshotSigning signing, int retain, boolean followPlan) {
    }

    private final KafkaClients clients;
    private TrainingSettings settings;
    private final Snapshots snapshotOptions;
    private final Listener listener;

    private long version;
    private int epoch;
    private List<SourceOffset> lineage = List.of();

    public Trainer(KafkaClients clients, TrainingSettings settings, Snapshots snapshotOptions, Listener listener) {
        this.clients = clients;
        this.settings = settings.validate();
        this.snapshotOptions = snapshotOptions;
        this.listener = listener;
    }

    public Result run(BooleanSupplier stop) {
        Duration timeout = settings.kafkaTimeout();
        try (Producer<byte[], byte[]> producer = clients.producer("trainer");
             Producer<byte[], byte[]> snapshotProducer = clients.transactionalProducer("trainer-snapshots",
                     SnapshotStore.transactionalId(settings.modelName()))) {
            SnapshotStore snapshots = new SnapshotStore(clients, snapshotProducer, settings.modelName(),
                    snapshotOptions.signing(), snapshotOptions.retain(), timeout);
            // before reading: fences a predecessor and settles its open transaction, so its commits are visible
            snapshots.open();
            DeadLetterSink deadLetters = new DeadLetterSink(producer, listener::deadLettered);
            deadLetters.loadReported(clients, timeout);
            WeightSnapshot latest = snapshots.latest().orElse(null);
            version = latest == null ? 0 : latest.version();
            boolean resume = settings.resume() && latest != null;
            if (resume && snapshotOptions.followPlan() && latest.plan().unfinishedAt(latest.epoch())) {
                WeightSnapshot.Hyperparameters h = latest.hyperparameters();
                LOG.infof("v%d belongs to an unfinished run of %d epochs: finishing it (lr %s, batch %d, seed %d)",
                        latest.version(), latest.plan().targetEpochs(), h.learningRate(), h.batchSize(), h.seed());
                settings = settings.with(latest.plan().targetEpochs(), h.learningRate(), h.batchSize(), h.seed(), true)
                        .validate();
                listener.followingPlan(settings);
            }
            long step = 0;
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
                MinibatchStepper stepper = new MinibatchStepper(model, settings.batchSize(), settings.learningRate(),
                        step, listener);
                if (epoch < settings.epochs()) {
                    if (settings.waitForData() && !awaitData(stop)) {
                        return result(State.STOPPED, stepper);
                    }
                    if (!trainEpochs(model, stepper, snapshots, deadLetters, stop)) {
                        return result(State.STOPPED, stepper);
                    }
                } else {
                    LOG.infof("%s has completed its %d planned epochs: no retraining", settings.modelName(), epoch);
                }
                if (settings.continuous()) {
                    trainContinuously(model, stepper, snapshots, deadLetters, stop);
                    return result(State.STOPPED, stepper);
                }
                return result(State.COMPLETED, stepper);
            }
        } catch (FencedException e) {
            LOG.error(e.getMessage());
            listener.state(State.FENCED, e.getMessage());
            return new Result(State.FENCED, epoch, 0, version, e.getMessage());
        }
    }

    /** The settings the run uses: the given ones, or the recorded plan of the run it finishes. */
    public TrainingSettings settings() {
        return settings;
    }

    private Result result(State state, MinibatchStepper stepper) {
        String detail = switch (state) {
            case COMPLETED -> epoch + " of " + settings.epochs() + " epochs done, model v" + version;
            default -> "stopped at epoch " + epoch + ", step " + stepper.steps() + ", model v" + version;
        };
        return new Result(state, epoch, stepper.steps(), version, detail);
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

    private boolean trainEpochs(SoftmaxRegression model, MinibatchStepper stepper, SnapshotStore snapshots,
                                DeadLetterSink deadLetters, BooleanSupplier stop) {
        SnapshotPolicy policy = SnapshotPolicy.duringEpochs(settings, System::nanoTime);
        try (EpochSource source = new EpochSource(clients, deadLetters, settings.kafkaTimeout(), settings.pollTimeout());
             TestSet testSet = new TestSet(clients, deadLetters, INPUTS, settings.kafkaTimeout(), settings.pollTimeout())) {
            SampleStore store = new SampleStore(INPUTS, 60_000);
            MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
            for (int e = epoch + 1; e <= settings.epochs(); e++) {
                listener.state(State.TRAINING, "epoch " + e + " of " + settings.epochs());
                EpochSummary.Stopwatch watch = new EpochSummary.Stopwatch(System::nanoTime);
                EpochSource.EpochRead read = source.read(store, stop);
                if (read == null) {
                    return false;
                }
                int count = store.count();
                if (count == 0) {
                    throw new IllegalStateException("the train topic holds no labelled images (" + read.stats() + ")");
                }
                watch.end(EpochSummary.Phase.READ);
                int[] order = ShuffleOrder.of(count, settings.shuffleBuffer(), settings.seed(), e);
                watch.end(EpochSummary.Phase.SHUFFLE);
                totals.clear();
                policy.restart();
                long stepsBefore = stepper.steps();
                for (int start = 0; start < count; ) {
                    if (stop.getAsBoolean()) {
                        return false;
                    }
                    start += stepper.step(store, order, start, totals);
                    policy.stepped();
                    if (policy.due(SnapshotPolicy.Moment.STEP)) {
                        // a mid-epoch snapshot: epoch = completed epochs, the partial epoch's figures, no test accuracy
                        publish(snapshots, model, stepper, e - 1,
                                new WeightSnapshot.Metrics(totals.meanLoss(), totals.accuracy(), Double.NaN),
                                read.lineage());
                        policy.restart();
                    }
                }
                watch.end(EpochSummary.Phase.TRAIN);
                if (!testSet.refresh(stop)) {
                    return false;
                }
                double testAccuracy = evaluate(model, testSet);
                watch.end(EpochSummary.Phase.EVALUATE);
                epoch = e;
                lineage = read.lineage();
                WeightSnapshot.Metrics metrics = new WeightSnapshot.Metrics(totals.meanLoss(), totals.accuracy(),
                        testAccuracy);
                // every epoch ends with a snapshot (SnapshotPolicy covers the ones in between)
                WeightSnapshot published = publish(snapshots, model, stepper, e, metrics, lineage);
                watch.end(EpochSummary.Phase.PUBLISH);
                EpochSummary summary = new EpochSummary(e, published.version(), metrics,
                        new EpochSummary.Counts(count, stepper.steps() - stepsBefore, testSet.count()),
                        watch.timings(read.decodeNanos()));
                LOG.infof("epoch %d, loss %.4f, train acc %.3f, test acc %.3f, %.2f s (model v%d)", e,
                        summary.trainLoss(), summary.trainAccuracy(), testAccuracy, summary.seconds(),
                        summary.modelVersion());
                listener.epoch(summary);
            }
            return true;
        }
    }

    /**
     * Online SGD on what is appended to the train topic after the last epoch's lineage: each poll's
     * labelled images, in arrival order, in minibatches of up to the batch size; snapshots as
     * {@link SnapshotPolicy#continuous} says.
     */
    private void trainContinuously(SoftmaxRegression model, MinibatchStepper stepper, SnapshotStore snapshots,
                                   DeadLetterSink deadLetters, BooleanSupplier stop) {
        listener.state(State.CONTINUOUS, "training on new records of " + Topics.TRAIN);
        LOG.infof("continuous mode: training on records appended to %s", Topics.TRAIN);
        SnapshotPolicy policy = SnapshotPolicy.continuous(settings, System::nanoTime);
        BatchIntake intake = new BatchIntake(deadLetters::report, Set.of(Split.TRAIN, Split.USER));
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
            SampleStore pending = new SampleStore(INPUTS, settings.batchSize());
            BatchIntake.Stats stats = new BatchIntake.Stats();
            MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
            while (true) {
                boolean stopping = stop.getAsBoolean();
                if (!stopping) {
                    pending.clear();
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(settings.pollTimeout())) {
                        intake.accept(r, seen, pending, stats);
                    }
                    for (int start = 0; start < pending.count(); ) {
                        start += stepper.step(pending, null, start, totals);
                        policy.stepped();
                    }
                }
                if (policy.due(stopping ? SnapshotPolicy.Moment.STOP : SnapshotPolicy.Moment.STEP)) {
                    List<SourceOffset> positions = new ArrayList<>();
                    for (TopicPartition tp : partitions) {
                        positions.add(new SourceOffset(tp.topic(), tp.partition(), consumer.position(tp)));
                    }
                    testSet.refresh(() -> false);
                    lineage = positions;
                    publish(snapshots, model, stepper, epoch,
                            new WeightSnapshot.Metrics(totals.meanLoss(), totals.accuracy(), evaluate(model, testSet)),
                            positions);
                    LOG.infof("continuous: %d steps on %d new samples, loss %.4f, train acc %.3f (model v%d)",
                            policy.stepsSinceSnapshot(), totals.samples(), totals.meanLoss(), totals.accuracy(), version);
                    totals.clear();
                    policy.restart();
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

    private WeightSnapshot publish(SnapshotStore snapshots, SoftmaxRegression model, MinibatchStepper stepper,
                                   int epochs, WeightSnapshot.Metrics metrics, List<SourceOffset> offsets) {
        WeightSnapshot s = new WeightSnapshot(settings.modelName(), version + 1, epochs, stepper.steps(), model.weights(),
                model.bias(), new WeightSnapshot.Hyperparameters(settings.learningRate(), settings.batchSize(),
                        settings.seed()), metrics, offsets, Instant.now(), new WeightSnapshot.Plan(settings.epochs()));
        snapshots.publish(s);
        version = s.version();
        listener.snapshot(s);
        return s;
    }

    /** Sleeps up to {@code d}, waking early when stopped; false when stopped or interrupted. */
    static boolean sleep(Duration d, BooleanSupplier stop) {
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
}
