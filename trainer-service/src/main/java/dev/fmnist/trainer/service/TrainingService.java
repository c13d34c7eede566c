package dev.fmnist.trainer.service;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.topics.TopicInitializer;
import dev.fmnist.trainer.config.TrainerConfig;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.model.SoftmaxRegression;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Owns the training worker: one run at a time on its own thread (never the event loop), started at
 * startup (if configured) or by the API, stopped by the API or at shutdown. Publishes progress as
 * metrics and as the status the API returns.
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    private final TrainerConfig config;
    private final KafkaClients clients;
    private final TopicInitializer topics;
    private final MeterRegistry registry;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fmnist-trainer");
        t.setDaemon(true);
        return t;
    });

    private final Object lock = new Object();
    private Future<?> current;
    private AtomicBoolean stopFlag = new AtomicBoolean();
    private volatile TrainingSettings activeSettings;
    private volatile Trainer.State state = Trainer.State.IDLE;
    private volatile String detail = "no run yet";
    private final List<TrainingStatus.HistoryEntry> history = new ArrayList<>();

    // metric values (gauges keep a reference to these holders)
    private final AtomicReference<Double> epochGauge = new AtomicReference<>(0d);
    private final AtomicReference<Double> stepGauge = new AtomicReference<>(0d);
    private final AtomicReference<Double> versionGauge = new AtomicReference<>(0d);
    private final AtomicReference<Double> trainLoss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> trainAccuracy = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> testAccuracy = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> samplesPerSecond = new AtomicReference<>(Double.NaN);
    private final Map<String, AtomicReference<Double>> epochHistoryValues = new ConcurrentHashMap<>();
    private final Timer stepTimer;
    private final Timer epochTimer;
    private final Counter snapshotsPublished;
    private final Counter deadLettered;
    private final Counter samplesTrained;

    public TrainingService(TrainerConfig config, KafkaClientFactory kafka, TopicInitializer topics,
                           MeterRegistry registry) {
        this.config = config;
        this.clients = new KafkaClients(kafka, "fmnist-trainer");
        this.topics = topics;
        this.registry = registry;
        this.activeSettings = settings(TrainingRequest.NONE);
        gauge("fmnist.trainer.epoch", "completed epochs of the model", epochGauge);
        gauge("fmnist.trainer.step", "SGD steps the model has taken", stepGauge);
        gauge("fmnist.trainer.model.version", "last published snapshot version", versionGauge);
        gauge("fmnist.trainer.train.loss", "mean training loss per sample of the last epoch (or snapshot period)",
                trainLoss);
        gauge("fmnist.trainer.train.accuracy", "training accuracy of the last epoch (or snapshot period)",
                trainAccuracy);
        gauge("fmnist.trainer.test.accuracy", "accuracy over the whole test topic at the last evaluation",
                testAccuracy);
        gauge("fmnist.trainer.samples.per.second", "training samples per second of the last epoch", samplesPerSecond);
        for (Trainer.State s : Trainer.State.values()) {
            Gauge.builder("fmnist.trainer.state", () -> state == s ? 1 : 0).tag("state", s.name())
                    .description("1 for the current run state").register(registry);
        }
        stepTimer = Timer.builder("fmnist.trainer.step.time").description("time of one SGD step (forward, backward, update)")
                .register(registry);
        epochTimer = Timer.builder("fmnist.trainer.epoch.time")
                .description("wall time of one epoch: Kafka replay, shuffle, steps, test evaluation, snapshot")
                .register(registry);
        snapshotsPublished = Counter.builder("fmnist.trainer.snapshots.published")
                .description("weight snapshots acknowledged by the broker").register(registry);
        deadLettered = Counter.builder("fmnist.trainer.records.dead.lettered")
                .description("records sent to the dead-letter topic").register(registry);
        samplesTrained = Counter.builder("fmnist.trainer.samples.trained")
                .description("samples trained on (rate() gives samples per second)").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.autoStart()) {
            start(TrainingRequest.NONE);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        worker.shutdownNow();
    }

    /** The run settings the configuration gives, with a request's overrides; validated. */
    public TrainingSettings settings(TrainingRequest request) {
        TrainingSettings base = new TrainingSettings(config.modelName(), config.epochs(), config.learningRate(),
                config.batchSize(), config.seed(), config.shuffleBuffer(), config.resume(), config.waitForData(),
                config.continuous(), config.snapshotEverySteps(), config.snapshotInterval(),
                config.continuousSnapshotInterval(), config.pollTimeout(), config.kafkaTimeout(),
                config.readyPollInterval(), config.evalChunk());
        TrainingRequest r = request == null ? TrainingRequest.NONE : request;
        return base.with(r.epochs(), r.learningRate(), r.batchSize(), r.seed(), r.resume()).validate();
    }

    /**
     * Starts a run.
     *
     * @throws IllegalArgumentException  on invalid overrides
     * @throws RunInProgressException    if a run is in progress
     */
    public TrainingStatus start(TrainingRequest request) {
        TrainingSettings settings = settings(request);
        synchronized (lock) {
            if (isRunning()) {
                throw new RunInProgressException("a training run is in progress (" + state + ": " + detail
                        + "); DELETE /api/v1/training stops it");
            }
            AtomicBoolean stop = new AtomicBoolean();
            stopFlag = stop;
            activeSettings = settings;
            if (!settings.resume()) {
                synchronized (history) {
                    history.clear();
                }
                epochGauge.set(0d);
                stepGauge.set(0d);
            }
            setState(Trainer.State.WAITING_FOR_KAFKA, "connecting to " + clients.bootstrapServers());
            current = worker.submit(() -> runOnWorker(settings, stop));
        }
        return status();
    }

    /** Stops the current run (if any) and waits up to 30 s for it to end. */
    public TrainingStatus stop() {
        Future<?> running;
        synchronized (lock) {
            running = current;
            stopFlag.set(true);
        }
        if (running != null) {
            try {
                running.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (TimeoutException e) {
                LOG.warn("the training run did not stop within 30 s");
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                // the run recorded its own failure
            }
        }
        return status();
    }

    public boolean isRunning() {
        synchronized (lock) {
            return current != null && !current.isDone();
        }
    }

    public TrainingStatus status() {
        TrainingSettings s = activeSettings;
        List<TrainingStatus.HistoryEntry> entries;
        synchronized (history) {
            entries = List.copyOf(history);
        }
        double sps = samplesPerSecond.get();
        return new TrainingStatus(state.name(), detail, s.modelName(), epochGauge.get().intValue(), s.epochs(),
                stepGauge.get().longValue(), versionGauge.get().longValue(), s.learningRate(), s.batchSize(), s.seed(),
                Double.isNaN(sps) ? null : sps, entries);
    }

    private void runOnWorker(TrainingSettings settings, AtomicBoolean stop) {
        try {
            SoftmaxRegression.configureThreads(config.torchThreads());
            if (!ensureTopics(settings, stop)) {
                setState(Trainer.State.STOPPED, "stopped while waiting for Kafka");
                return;
            }
            Trainer.Result result = new Trainer(clients, settings, new Progress()).run(stop::get);
            setState(result.state(), switch (result.state()) {
                case COMPLETED -> result.epoch() + " of " + settings.epochs() + " epochs done, model v" + result.modelVersion();
                default -> "stopped at epoch " + result.epoch() + ", step " + result.step() + ", model v"
                        + result.modelVersion();
            });
        } catch (RuntimeException | Error e) {
            LOG.error("training run failed", e);
            setState(Trainer.State.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Creates the pipeline's topics, retrying while the broker is not reachable. */
    private boolean ensureTopics(TrainingSettings settings, AtomicBoolean stop) {
        while (!stop.get()) {
            try {
                topics.ensure();
                return true;
            } catch (RuntimeException e) {
                setState(Trainer.State.WAITING_FOR_KAFKA, "Kafka at " + clients.bootstrapServers()
                        + " not reachable yet: " + e.getMessage());
                try {
                    Thread.sleep(settings.readyPollInterval().toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private void setState(Trainer.State s, String d) {
        state = s;
        detail = d;
    }

    private void gauge(String name, String description, AtomicReference<Double> value) {
        Gauge.builder(name, value, AtomicReference::get).description(description).register(registry);
    }

    private void historyGauge(String name, int epoch, double v) {
        String key = name + "#" + epoch;
        epochHistoryValues.computeIfAbsent(key, k -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, holder, AtomicReference::get).tags(Tags.of("epoch", Integer.toString(epoch)))
                    .description("per-epoch history (the latest run that finished this epoch)").register(registry);
            return holder;
        }).set(v);
    }

    /** Trainer callbacks, on the training thread. */
    private final class Progress implements Trainer.Listener {
        @Override
        public void state(Trainer.State s, String d) {
            setState(s, d);
        }

        @Override
        public void resumed(WeightSnapshot from) {
            epochGauge.set((double) from.epoch());
            stepGauge.set((double) from.step());
            versionGauge.set((double) from.version());
            trainLoss.set(from.metrics().trainLoss());
            trainAccuracy.set(from.metrics().trainAccuracy());
            testAccuracy.set(from.metrics().testAccuracy());
        }

        @Override
        public void step(long step, int samples, long nanos) {
            stepGauge.set((double) step);
            stepTimer.record(nanos, TimeUnit.NANOSECONDS);
            samplesTrained.increment(samples);
        }

        @Override
        public void epoch(EpochSummary s) {
            epochGauge.set((double) s.epoch());
            trainLoss.set(s.trainLoss());
            trainAccuracy.set(s.trainAccuracy());
            testAccuracy.set(s.testAccuracy());
            samplesPerSecond.set(s.samples() / s.seconds());
            epochTimer.record((long) (s.seconds() * 1e9), TimeUnit.NANOSECONDS);
            historyGauge("fmnist.trainer.history.train.loss", s.epoch(), s.trainLoss());
            historyGauge("fmnist.trainer.history.train.accuracy", s.epoch(), s.trainAccuracy());
            historyGauge("fmnist.trainer.history.test.accuracy", s.epoch(), s.testAccuracy());
            synchronized (history) {
                history.add(TrainingStatus.HistoryEntry.of(s));
            }
        }

        @Override
        public void snapshot(WeightSnapshot s) {
            versionGauge.set((double) s.version());
            snapshotsPublished.increment();
            if (!Double.isNaN(s.metrics().testAccuracy()) && s.epoch() == epochGauge.get().intValue()) {
                // continuous-mode snapshots carry fresh figures too
                trainLoss.set(s.metrics().trainLoss());
                trainAccuracy.set(s.metrics().trainAccuracy());
                testAccuracy.set(s.metrics().testAccuracy());
            }
        }

        @Override
        public void deadLettered(String reason) {
            deadLettered.increment();
        }
    }
}
