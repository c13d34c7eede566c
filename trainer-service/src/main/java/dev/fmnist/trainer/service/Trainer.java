package dev.fmnist.trainer.service;

import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshot.SourceOffset;
import dev.fmnist.trainer.messaging.DeadLetterSink;
import dev.fmnist.trainer.messaging.FencedException;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.messaging.ReadinessRule;
import dev.fmnist.trainer.messaging.SnapshotStore;
import dev.fmnist.trainer.messaging.TopicMirror;
import dev.fmnist.trainer.messaging.TrainingData;
import dev.fmnist.trainer.model.Models;
import dev.fmnist.trainer.model.Recipe;
import dev.fmnist.trainer.model.SampleStore;
import dev.fmnist.trainer.model.ShuffleOrder;
import dev.fmnist.trainer.model.TrainableModel;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * One training run against Kafka, in plain Java (the Quarkus service, the integration test and the
 * benchmark all drive this class): resume from the model's latest snapshot, wait for the data,
 * train the remaining epochs (each on what the train mirror holds), evaluate on the whole test topic and
 * publish a snapshot after each epoch (on the {@link EpochFinisher}'s thread, beside the next epoch's
 * steps), then optionally keep training online on new records.
 * Runs on the caller's thread until done or until {@code stop} answers true.
 */
public final class Trainer {
    private static final Logger LOG = Logger.getLogger(Trainer.class);
    private static final int INPUTS = WeightSnapshot.INPUTS;

    /** Where a run is. */
    public enum State { IDLE, WAITING_FOR_KAFKA, WAITING_FOR_DATA, TRAINING, CONTINUOUS, COMPLETED, STOPPED, FAILED,
        /** Another trainer of the same model took over its transactional id: this one stopped for good. */
        FENCED }

    /**
     * Progress callbacks, on the training thread, except {@code epoch} and {@code snapshot}, which during
     * epochs come from the finisher thread that ends each epoch beside the next one's steps, and
     * {@code deadLettered}, from the Kafka producer's thread: implementations are thread-safe.
     */
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

        /**
         * The data counted as ready: {@code missing} lists the announced dataset splits still incomplete at
         * the readiness deadline (empty when everything was there).
         */
        default void dataMissing(List<String> missing) {
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
    private final Duration readinessDeadline;
    /** The topics as the process holds them across runs; null = this run opens (and closes) its own. */
    private final TrainingData sharedData;

    // written by whichever thread publishes (the finisher during epochs), read by the training thread
    // only after that publication was awaited
    private volatile long version;
    private volatile int epoch;
    private volatile List<SourceOffset> lineage = List.of();

    /** A trainer that waits for incomplete datasets without a deadline. */
    public Trainer(KafkaClients clients, TrainingSettings settings, Snapshots snapshotOptions, Listener listener) {
        this(clients, settings, snapshotOptions, Duration.ZERO, listener);
    }

    /**
     * @param readinessDeadline how long to wait for incomplete datasets before training on what is there
     *                          (zero = wait until complete)
     */
    public Trainer(KafkaClients clients, TrainingSettings settings, Snapshots snapshotOptions,
                   Duration readinessDeadline, Listener listener) {
        this(clients, settings, snapshotOptions, readinessDeadline, null, listener);
    }

    /**
     * @param readinessDeadline how long to wait for incomplete datasets before training on what is there
     *                          (zero = wait until complete)
     * @param data              the train and test topics as the process holds them across runs (not closed
     *                          by the run); null = the run reads them into its own buffers
     */
    public Trainer(KafkaClients clients, TrainingSettings settings, Snapshots snapshotOptions,
                   Duration readinessDeadline, TrainingData data, Listener listener) {
        if (readinessDeadline.isNegative()) {
            throw new IllegalArgumentException("the readiness deadline must be >= 0, got " + readinessDeadline);
        }
        this.readinessDeadline = readinessDeadline;
        this.sharedData = data;
        this.clients = clients;
        this.settings = settings.validate();
        this.snapshotOptions = snapshotOptions;
        this.listener = listener;
    }

    public Result run(BooleanSupplier stop) {
        if (sharedData != null) {
            return run(stop, sharedData);
        }
        try (TrainingData own = new TrainingData(clients, INPUTS, settings.kafkaTimeout(), settings.pollTimeout())) {
            return run(stop, own);
        }
    }

    private Result run(BooleanSupplier stop, TrainingData data) {
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
            if (latest != null && latest.network().family() != settings.family()) {
                // one family per model name: servers of the name would otherwise swap architectures under it
                String reason = "model " + settings.modelName() + " holds " + latest.network().family().id()
                        + " snapshots (latest v" + latest.version() + "), not " + settings.family().id()
                        + ": not training a " + settings.family().id() + " under that name (train it as "
                        + settings.family().modelName() + ")";
                LOG.error(reason);
                listener.state(State.FAILED, reason);
                return new Result(State.FAILED, latest.epoch(), latest.step(), version, reason);
            }
            boolean resume = settings.resume() && latest != null;
            if (resume && snapshotOptions.followPlan() && latest.plan().unfinishedAt(latest.epoch())) {
                settings = settings.finishing(latest);
                LOG.infof("v%d belongs to an unfinished run of %d epochs: finishing it (lr %s, batch %d, seed %d)",
                        latest.version(), settings.epochs(), settings.learningRate(), settings.batchSize(), settings.seed());
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
                LOG.infof("starting %s (%s) from fresh parameters (seed %d); next version v%d", settings.modelName(),
                        settings.family().id(), settings.seed(), version + 1);
            }
            try (TrainableModel model = resume ? Models.of(latest.network())
                    : Models.initialize(settings.family(), settings.seed());
                 MinibatchStepper stepper = new MinibatchStepper(model, settings.batchSize(), settings.learningRate(),
                        step, listener)) {
                if (epoch < settings.epochs()) {
                    if (settings.waitForData() && !awaitData(data, deadLetters, stop)) {
                        return result(State.STOPPED, stepper);
                    }
                    if (!trainEpochs(model, stepper, snapshots, deadLetters, data, stop)) {
                        return result(State.STOPPED, stepper);
                    }
                } else {
                    LOG.infof("%s has completed its %d planned epochs: no retraining", settings.modelName(), epoch);
                }
                if (settings.continuous()) {
                    trainContinuously(model, stepper, snapshots, deadLetters, data, stop);
                    return result(State.STOPPED, stepper);
                }
                return result(State.COMPLETED, stepper);
            }
        } catch (RuntimeException e) {
            // a fencing, also one from the finisher's publish suppressed by the training thread's own failure,
            // ends the run FENCED: a retry would fence the trainer that took over
            FencedException fenced = FencedException.in(e).orElseThrow(() -> e);
            LOG.error(fenced.getMessage());
            listener.state(State.FENCED, fenced.getMessage());
            return new Result(State.FENCED, epoch, 0, version, fenced.getMessage());
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

    /**
     * Waits until the data is ready ({@link TrainingData#ready}); waiting is bounded: once the readiness
     * deadline has passed, the run trains on what is there and reports what never came.
     */
    private boolean awaitData(TrainingData data, DeadLetterSink deadLetters, BooleanSupplier stop) {
        long start = System.nanoTime();
        while (true) {
            boolean late = !readinessDeadline.isZero() && System.nanoTime() - start >= readinessDeadline.toNanos();
            ReadinessRule.Verdict verdict = data.ready(stop, deadLetters::report, late);
            if (verdict != null && verdict.ready()) {
                if (!verdict.missing().isEmpty()) {
                    LOG.warnf("training data incomplete after the %d s readiness deadline (fmnist.trainer.readiness.deadline):"
                            + " training on what is there; missing %s", readinessDeadline.toSeconds(), verdict.missing());
                }
                listener.dataMissing(verdict.missing());
                return true;
            }
            if (verdict != null) {
                listener.state(State.WAITING_FOR_DATA, verdict.reason());
            }
            if (!sleep(settings.readyPollInterval(), stop)) {
                return false;
            }
        }
    }

    private boolean trainEpochs(TrainableModel model, MinibatchStepper stepper, SnapshotStore snapshots,
                                DeadLetterSink deadLetters, TrainingData data, BooleanSupplier stop) {
        SnapshotPolicy policy = SnapshotPolicy.duringEpochs(settings, System::nanoTime);
        TopicMirror train = data.train();
        TopicMirror test = data.test();
        try (EpochFinisher finisher = new EpochFinisher()) {
            // the data as it is now (all of it the first time the process reads it); each epoch then reads
            // only what was appended since
            TopicMirror.Read loaded = train.refresh(stop, deadLetters::report);
            if (loaded == null || test.refresh(stop, deadLetters::report) == null) {
                return false;
            }
            long warmStart = System.nanoTime();
            MinibatchStepper.warmUp(settings.family(), settings.batchSize(), Recipe.of(settings.family()).warmUpSteps());
            LOG.debugf("step path warmed in %.2f s", (System.nanoTime() - warmStart) / 1e9);
            LOG.infof("training on %d train and %d test samples (%s)", train.count(), test.count(), loaded.stats());
            SampleStore store = train.store();
            MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
            for (int e = epoch + 1; e <= settings.epochs(); e++) {
                listener.state(State.TRAINING, "epoch " + e + " of " + settings.epochs());
                EpochSummary.Stopwatch watch = new EpochSummary.Stopwatch(System::nanoTime);
                TopicMirror.Read read = train.refresh(stop, deadLetters::report);
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
                    stepper.rate(rate(e - 1 + (double) start / count));
                    start += stepper.step(store, order, start, totals);
                    policy.stepped();
                    if (policy.due(SnapshotPolicy.Moment.STEP)) {
                        // a mid-epoch snapshot: epoch = completed epochs, the partial epoch's figures, no test accuracy
                        Parameters at = Parameters.of(model, stepper);
                        WeightSnapshot.Metrics partial = new WeightSnapshot.Metrics(totals.meanLoss(), totals.accuracy(),
                                Double.NaN);
                        int completed = e - 1;
                        if (!finisher.submit(() -> {
                            publish(snapshots, at, completed, partial, read.lineage());
                            return true;
                        })) {
                            return false;
                        }
                        policy.restart();
                    }
                }
                watch.end(EpochSummary.Phase.TRAIN);
                EpochSteps steps = new EpochSteps(e, Parameters.of(model, stepper), totals.meanLoss(), totals.accuracy(),
                        count, stepper.steps() - stepsBefore, read.lineage(), read.decodeNanos(), watch);
                // at most one epoch ahead of what is published: wait for the previous epoch's end
                if (!finisher.await()) {
                    return false;
                }
                watch.end(EpochSummary.Phase.AWAIT);
                if (e < settings.epochs()) {
                    // true: the task in flight was awaited just above
                    finisher.submit(() -> finishEpoch(steps, test, snapshots, deadLetters, true, stop));
                } else if (!finishEpoch(steps, test, snapshots, deadLetters, false, stop)) {
                    return false; // the last epoch: nothing to overlap its end with
                }
            }
            return finisher.await();
        }
    }

    /** What an epoch's steps produced, handed to {@link #finishEpoch}. */
    private record EpochSteps(int epoch, Parameters parameters, double trainLoss, double trainAccuracy, long samples,
                              long steps, List<SourceOffset> lineage, long decodeNanos, EpochSummary.Stopwatch watch) {
    }

    /**
     * The end of an epoch: the test topic's new records, the accuracy of the epoch's parameters on the
     * whole test set, the epoch's snapshot (every epoch ends with one; SnapshotPolicy covers the ones in
     * between) and its report. On the finisher thread ({@code background}) or, for the last epoch, on the
     * training thread. False when stopped before the snapshot.
     */
    private boolean finishEpoch(EpochSteps s, TopicMirror test, SnapshotStore snapshots, DeadLetterSink deadLetters,
                                boolean background, BooleanSupplier stop) {
        if (test.refresh(stop, deadLetters::report) == null) {
            return false;
        }
        double testAccuracy = s.parameters().accuracy(test, settings.evalChunk());
        s.watch().end(EpochSummary.Phase.EVALUATE);
        WeightSnapshot.Metrics metrics = new WeightSnapshot.Metrics(s.trainLoss(), s.trainAccuracy(), testAccuracy);
        WeightSnapshot published = publish(snapshots, s.parameters(), s.epoch(), metrics, s.lineage());
        s.watch().end(EpochSummary.Phase.PUBLISH);
        epoch = s.epoch();
        lineage = s.lineage();
        EpochSummary summary = new EpochSummary(s.epoch(), published.version(), metrics,
                new EpochSummary.Counts(s.samples(), s.steps(), test.count()),
                s.watch().timings(s.decodeNanos(), background));
        LOG.infof("epoch %d, loss %.4f, train acc %.3f, test acc %.3f, %.2f s (model v%d)", s.epoch(),
                summary.trainLoss(), summary.trainAccuracy(), testAccuracy, summary.seconds(), summary.modelVersion());
        listener.epoch(summary);
        return true;
    }

    /**
     * Online SGD on what is appended to the train topic after the last epoch's lineage, through the train
     * mirror (an image it already holds is not trained on again): each refresh's new labelled images, in
     * topic order, in minibatches of up to the batch size; snapshots as {@link SnapshotPolicy#continuous} says.
     */
    private void trainContinuously(TrainableModel model, MinibatchStepper stepper, SnapshotStore snapshots,
                                   DeadLetterSink deadLetters, TrainingData data, BooleanSupplier stop) {
        listener.state(State.CONTINUOUS, "training on new records of " + Topics.TRAIN);
        LOG.infof("continuous mode: training on records appended to %s", Topics.TRAIN);
        SnapshotPolicy policy = SnapshotPolicy.continuous(settings, System::nanoTime);
        // online steps after the plan: the rate of the middle of its last epoch (a decaying schedule's small rate)
        stepper.rate(rate(settings.epochs() - 0.5));
        TopicMirror.Tail tail = data.train().tail(lineage);
        MinibatchStepper.Totals totals = new MinibatchStepper.Totals();
        while (true) {
            boolean stopping = stop.getAsBoolean();
            if (!stopping) {
                int[] fresh = tail.next(stop, deadLetters::report);
                for (int start = 0; start < fresh.length; ) {
                    start += stepper.step(data.train().store(), fresh, start, totals);
                    policy.stepped();
                }
                if (fresh.length == 0) {
                    sleep(settings.pollTimeout(), stop);
                }
            }
            if (policy.due(stopping ? SnapshotPolicy.Moment.STOP : SnapshotPolicy.Moment.STEP)) {
                data.test().refresh(() -> false, deadLetters::report);
                lineage = tail.lineage();
                Parameters now = Parameters.of(model, stepper);
                publish(snapshots, now, epoch, new WeightSnapshot.Metrics(totals.meanLoss(), totals.accuracy(),
                        now.accuracy(data.test(), settings.evalChunk())), lineage);
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

    /** The family's scheduled learning rate when {@code epochsDone} (fractional) of the planned epochs are done. */
    private float rate(double epochsDone) {
        return (float) Recipe.of(settings.family()).rate(settings.learningRate(), progress(settings.epochs(), epochsDone));
    }

    /**
     * How far through its planned epochs a run is, 0 to 1. A run of no planned epochs (continuous mode
     * alone) is at 0: it learns at the recipe's base rate, not at a decayed schedule's end (0 for a cosine).
     */
    static double progress(int plannedEpochs, double epochsDone) {
        return plannedEpochs == 0 ? 0 : epochsDone / plannedEpochs;
    }

    private WeightSnapshot publish(SnapshotStore snapshots, Parameters p, int epochs, WeightSnapshot.Metrics metrics,
                                   List<SourceOffset> offsets) {
        WeightSnapshot s = p.snapshot(settings, version + 1, epochs, metrics, offsets);
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
