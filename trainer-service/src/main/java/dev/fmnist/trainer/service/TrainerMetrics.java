package dev.fmnist.trainer.service;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.trainer.config.TrainerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's meters, fed by the run's progress callbacks. Every meter of a model carries the tag
 * {@code model} (the model name, {@code fmnist-cnn}); one process trains several models one run at a time,
 * and each keeps its own series. Names (Prometheus replaces dots by underscores and adds _total / _seconds):
 * <ul>
 *   <li>fmnist.trainer.epoch, .step, .model.version {model} - gauges of the model's progress</li>
 *   <li>fmnist.trainer.train.loss, .train.accuracy, .test.accuracy {model} - gauges of the last epoch (or
 *       continuous-mode snapshot)</li>
 *   <li>fmnist.trainer.samples.per.second {model} - gauge, last epoch</li>
 *   <li>fmnist.trainer.state{model, state} - 1 for the model's current (or last) run state, 0 for the others</li>
 *   <li>fmnist.trainer.history.train.loss, .history.train.accuracy, .history.test.accuracy {model, epoch} -
 *       per-epoch gauges, kept for the newest {@code history-limit} epochs of each model (older ones are
 *       removed from the registry)</li>
 *   <li>fmnist.trainer.step.time, .epoch.time {model} - timers</li>
 *   <li>fmnist.trainer.snapshots.published, .samples.trained {model} - counters</li>
 *   <li>fmnist.trainer.records.dead.lettered - counter of the process (the data is every model's)</li>
 *   <li>fmnist.trainer.data.missing - gauge of the process, announced dataset splits still incomplete when
 *       the run began training at the readiness deadline (0 = complete data)</li>
 * </ul>
 * Callbacks arrive on the training thread, epochs and snapshots from the finisher thread, dead letters from
 * the producer's; the state also from the service's lifecycle. They go to the meters of the model
 * {@link #model(String)} last named (the service names the model of each run before it starts).
 */
@ApplicationScoped
public class TrainerMetrics implements Trainer.Listener {
    private static final List<String> HISTORY = List.of("fmnist.trainer.history.train.loss",
            "fmnist.trainer.history.train.accuracy", "fmnist.trainer.history.test.accuracy");

    private final MeterRegistry registry;
    private final int historyLimit;
    private final Map<String, ModelMeters> models = new ConcurrentHashMap<>();
    private volatile ModelMeters current;
    private final AtomicReference<Double> missingData = new AtomicReference<>(0d);
    private final Counter deadLettered;

    @Inject
    public TrainerMetrics(MeterRegistry registry, TrainerConfig config) {
        this(registry, config.historyLimit(), TrainingService.families(config.models()).get(0).modelName());
    }

    /** Meters of the seed's model until another is named. */
    TrainerMetrics(MeterRegistry registry, int historyLimit) {
        this(registry, historyLimit, ModelFamily.SOFTMAX.modelName());
    }

    TrainerMetrics(MeterRegistry registry, int historyLimit, String firstModel) {
        if (historyLimit < 1) {
            throw new IllegalArgumentException("fmnist.trainer.history-limit must be >= 1, got " + historyLimit);
        }
        this.registry = registry;
        this.historyLimit = historyLimit;
        Gauge.builder("fmnist.trainer.data.missing", missingData, AtomicReference::get)
                .description("announced dataset splits still incomplete when training began at the readiness deadline")
                .register(registry);
        deadLettered = Counter.builder("fmnist.trainer.records.dead.lettered")
                .description("records sent to the dead-letter topic").register(registry);
        model(firstModel);
    }

    /** The callbacks from now on are the run of this model (its meters are registered the first time). */
    public void model(String modelName) {
        current = models.computeIfAbsent(modelName, ModelMeters::new);
    }

    /** A run that starts from fresh parameters: the model has no epochs and steps yet. */
    public void freshRun() {
        current.epoch.set(0d);
        current.step.set(0d);
    }

    @Override
    public void dataMissing(List<String> missing) {
        missingData.set((double) missing.size());
    }

    @Override
    public void state(Trainer.State s, String detail) {
        current.state = s;
    }

    @Override
    public void resumed(WeightSnapshot from) {
        ModelMeters m = current;
        m.epoch.set((double) from.epoch());
        m.step.set((double) from.step());
        m.version.set((double) from.version());
        m.figures(from.metrics());
    }

    @Override
    public void step(long stepNumber, int samples, long nanos) {
        ModelMeters m = current;
        m.step.set((double) stepNumber);
        m.stepTimer.record(nanos, TimeUnit.NANOSECONDS);
        m.samplesTrained.increment(samples);
    }

    @Override
    public void epoch(EpochSummary s) {
        ModelMeters m = current;
        m.epoch.set((double) s.epoch());
        m.figures(s.metrics());
        m.samplesPerSecond.set(s.samples() / s.seconds());
        m.epochTimer.record((long) (s.seconds() * 1e9), TimeUnit.NANOSECONDS);
        m.recordHistory(s.epoch(), List.of(s.trainLoss(), s.trainAccuracy(), s.testAccuracy()));
    }

    @Override
    public void snapshot(WeightSnapshot s) {
        ModelMeters m = current;
        m.version.set((double) s.version());
        m.snapshotsPublished.increment();
        if (!Double.isNaN(s.metrics().testAccuracy()) && s.epoch() == m.epoch.get().intValue()) {
            // continuous-mode snapshots carry fresh figures too
            m.figures(s.metrics());
        }
    }

    @Override
    public void deadLettered(String reason) {
        deadLettered.increment();
    }

    /** One model's meters, all tagged {@code model}. */
    private final class ModelMeters {
        private final Tags tags;
        private final AtomicReference<Double> epoch = new AtomicReference<>(0d);
        private final AtomicReference<Double> step = new AtomicReference<>(0d);
        private final AtomicReference<Double> version = new AtomicReference<>(0d);
        private final AtomicReference<Double> trainLoss = new AtomicReference<>(Double.NaN);
        private final AtomicReference<Double> trainAccuracy = new AtomicReference<>(Double.NaN);
        private final AtomicReference<Double> testAccuracy = new AtomicReference<>(Double.NaN);
        private final AtomicReference<Double> samplesPerSecond = new AtomicReference<>(Double.NaN);
        private volatile Trainer.State state = Trainer.State.IDLE;
        /** Per-epoch gauges, oldest epoch first; each holds the values of {@link #HISTORY} in that order. */
        private final TreeMap<Integer, EpochGauges> history = new TreeMap<>();
        private final Timer stepTimer;
        private final Timer epochTimer;
        private final Counter snapshotsPublished;
        private final Counter samplesTrained;

        ModelMeters(String modelName) {
            this.tags = Tags.of("model", modelName);
            gauge("fmnist.trainer.epoch", "completed epochs of the model", epoch);
            gauge("fmnist.trainer.step", "SGD steps the model has taken", step);
            gauge("fmnist.trainer.model.version", "last published snapshot version", version);
            gauge("fmnist.trainer.train.loss", "mean training loss per sample of the last epoch (or snapshot period)",
                    trainLoss);
            gauge("fmnist.trainer.train.accuracy", "training accuracy of the last epoch (or snapshot period)",
                    trainAccuracy);
            gauge("fmnist.trainer.test.accuracy", "accuracy over the whole test topic at the last evaluation",
                    testAccuracy);
            gauge("fmnist.trainer.samples.per.second", "training samples per second of the last epoch",
                    samplesPerSecond);
            for (Trainer.State s : Trainer.State.values()) {
                Gauge.builder("fmnist.trainer.state", () -> state == s ? 1 : 0).tags(tags).tag("state", s.name())
                        .description("1 for the model's current (or last) run state").register(registry);
            }
            stepTimer = Timer.builder("fmnist.trainer.step.time")
                    .description("time of one training step (forward, backward, update)").tags(tags).register(registry);
            epochTimer = Timer.builder("fmnist.trainer.epoch.time")
                    .description("one epoch's share of the run's wall time: Kafka top-up, shuffle, steps, wait for the"
                            + " previous epoch's snapshot (its own evaluation and snapshot run beside the next epoch)")
                    .tags(tags).register(registry);
            snapshotsPublished = Counter.builder("fmnist.trainer.snapshots.published")
                    .description("weight snapshots acknowledged by the broker").tags(tags).register(registry);
            samplesTrained = Counter.builder("fmnist.trainer.samples.trained")
                    .description("samples trained on (rate() gives samples per second)").tags(tags).register(registry);
        }

        private void figures(WeightSnapshot.Metrics m) {
            trainLoss.set(m.trainLoss());
            trainAccuracy.set(m.trainAccuracy());
            testAccuracy.set(m.testAccuracy());
        }

        /** Sets an epoch's history gauges (registering them the first time) and drops the oldest beyond the limit. */
        private synchronized void recordHistory(int epochNumber, List<Double> values) {
            EpochGauges gauges = history.computeIfAbsent(epochNumber, this::registerHistory);
            for (int i = 0; i < values.size(); i++) {
                gauges.values().get(i).set(values.get(i));
            }
            while (history.size() > historyLimit) {
                Map.Entry<Integer, EpochGauges> oldest = history.pollFirstEntry();
                oldest.getValue().gauges().forEach(registry::remove);
            }
        }

        private EpochGauges registerHistory(int epochNumber) {
            List<AtomicReference<Double>> values = HISTORY.stream().map(n -> new AtomicReference<>(Double.NaN)).toList();
            List<Gauge> gauges = new java.util.ArrayList<>();
            for (int i = 0; i < HISTORY.size(); i++) {
                gauges.add(Gauge.builder(HISTORY.get(i), values.get(i), AtomicReference::get)
                        .tags(tags.and("epoch", Integer.toString(epochNumber)))
                        .description("per-epoch history (the latest run that finished this epoch)").register(registry));
            }
            return new EpochGauges(values, List.copyOf(gauges));
        }

        private void gauge(String name, String description, AtomicReference<Double> value) {
            Gauge.builder(name, value, AtomicReference::get).description(description).tags(tags).register(registry);
        }
    }

    private record EpochGauges(List<AtomicReference<Double>> values, List<Gauge> gauges) {
    }
}
