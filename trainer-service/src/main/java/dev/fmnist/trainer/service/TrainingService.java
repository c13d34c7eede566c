package dev.fmnist.trainer.service;

import dev.fmnist.api.TrainingStatus;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.support.auth.AuthConfig;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.rest.ApiException;
import dev.fmnist.support.topics.TopicInitializer;
import dev.fmnist.trainer.config.SnapshotsConfig;
import dev.fmnist.trainer.config.TrainerConfig;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.messaging.TrainingData;
import dev.fmnist.trainer.model.Recipe;
import dev.fmnist.trainer.model.SoftmaxRegression;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The run lifecycle: one run at a time on its own thread (never the event loop), started at
 * startup (if configured: each configured family in turn) or by the API, stopped by the API or at
 * shutdown. Progress goes to {@link RunStatus} (what the API answers) and {@link TrainerMetrics}
 * (tagged with the run's model).
 */
@ApplicationScoped
public class TrainingService {
    private static final Logger LOG = Logger.getLogger(TrainingService.class);

    private final TrainerConfig config;
    /** {@code fmnist.trainer.models}: trained in this order at startup; the first is a request's default. */
    private final List<ModelFamily> families;
    private final SnapshotsConfig snapshotsConfig;
    private final AuthConfig auth;
    private final KafkaClients clients;
    private final TrainerMetrics metrics;
    private final RunStatus status;
    /** Every progress callback goes to both the status and the metrics. */
    private final Trainer.Listener progress;
    private final TopicInitializer topics;
    /** Train and test topics read once for the process, kept across runs. */
    private final TrainingData data;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fmnist-trainer");
        t.setDaemon(true);
        return t;
    });

    private final Object lock = new Object();
    private Future<?> current;
    private AtomicBoolean stopFlag = new AtomicBoolean();
    private volatile TrainingSettings activeSettings;

    public TrainingService(TrainerConfig config, SnapshotsConfig snapshotsConfig, AuthConfig auth,
                           KafkaClientFactory kafka, TopicInitializer topics, TrainerMetrics metrics) {
        this.config = config;
        this.families = families(config.models());
        this.snapshotsConfig = snapshotsConfig;
        this.auth = auth;
        this.clients = new KafkaClients(kafka, "fmnist-trainer");
        this.topics = topics;
        this.metrics = metrics;
        this.status = new RunStatus(config.historyLimit());
        this.progress = new Progress();
        this.activeSettings = settings(TrainingRequest.NONE);
        metrics.model(activeSettings.modelName());
        this.data = new TrainingData(clients, WeightSnapshot.INPUTS, config.kafkaTimeout(), config.pollTimeout());
    }

    /** The configured families, in order, each once. */
    static List<ModelFamily> families(List<String> names) {
        List<ModelFamily> parsed = names.stream().map(n -> {
            try {
                return ModelFamily.parse(n);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fmnist.trainer.models: " + e.getMessage(), e);
            }
        }).distinct().toList();
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("fmnist.trainer.models names no model family");
        }
        return parsed;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.autoStart()) {
            // the runs follow one another, and a continuous run never ends: only the last family's run goes on
            // in continuous mode, the others end after their planned epochs
            List<TrainingSettings> runs = new java.util.ArrayList<>();
            for (int i = 0; i < families.size(); i++) {
                TrainingSettings s = settings(new TrainingRequest(null, null, null, null, null, families.get(i)));
                runs.add(i < families.size() - 1 ? s.planned() : s);
            }
            start(runs, true);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
        worker.shutdownNow();
        data.close();
    }

    /**
     * The run settings the configuration gives, with a request's overrides; validated. The model is the
     * request's family (default: the first configured) under its own name; the learning rate the request's,
     * else the configured one, else the family's default.
     */
    public TrainingSettings settings(TrainingRequest request) {
        TrainingRequest r = request == null ? TrainingRequest.NONE : request;
        ModelFamily family = r.model() != null ? r.model() : families.get(0);
        double learningRate = config.learningRate().orElse(Recipe.of(family).learningRate());
        TrainingSettings base = new TrainingSettings(family.modelName(), config.epochs(), learningRate,
                config.batchSize(), config.seed(), config.shuffleBuffer(), config.resume(), config.waitForData(),
                config.continuous(), config.snapshotEverySteps(), config.snapshotInterval(),
                config.continuousSnapshotInterval(), config.pollTimeout(), config.kafkaTimeout(),
                config.readyPollInterval(), config.evalChunk(), family);
        return base.with(r.epochs(), r.learningRate(), r.batchSize(), r.seed(), r.resume()).validate();
    }

    /**
     * Starts a run.
     *
     * @throws IllegalArgumentException  on invalid overrides
     * @throws ApiException (409)         if a run is in progress
     */
    public TrainingStatus start(TrainingRequest request) {
        TrainingRequest r = request == null ? TrainingRequest.NONE : request;
        // a request that sets its own epochs or hyperparameters starts its own run; otherwise an
        // unfinished run recorded in the latest snapshot is finished
        boolean followPlan = r.epochs() == null && r.learningRate() == null && r.batchSize() == null
                && r.seed() == null;
        return start(List.of(settings(r)), followPlan);
    }

    /** Starts the runs one after another on the worker (startup: one per configured family). */
    private TrainingStatus start(List<TrainingSettings> runs, boolean followPlan) {
        TrainingSettings settings = runs.get(0);
        synchronized (lock) {
            if (isRunning()) {
                throw ApiException.conflict("a training run is in progress (" + status.state() + ": "
                        + status.detail() + "); DELETE /api/v1/training stops it");
            }
            AtomicBoolean stop = new AtomicBoolean();
            stopFlag = stop;
            begin(settings);
            current = worker.submit(() -> {
                for (int i = 0; i < runs.size() && !stop.get(); i++) {
                    if (i > 0) {
                        begin(runs.get(i));
                    }
                    runOnWorker(runs.get(i), followPlan, stop);
                }
            });
        }
        return status();
    }

    /** The status and metrics now follow the run of {@code settings}. */
    private void begin(TrainingSettings settings) {
        boolean otherModel = !activeSettings.modelName().equals(settings.modelName());
        activeSettings = settings;
        metrics.model(settings.modelName());
        if (!settings.resume() || otherModel) {
            // the status shows one model: another model's run starts its own history (metrics keep each model's)
            status.freshRun();
        }
        if (!settings.resume()) {
            metrics.freshRun();
        }
        setState(Trainer.State.WAITING_FOR_KAFKA, "connecting to " + clients.bootstrapServers());
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
        return status.toStatus(activeSettings);
    }

    private void runOnWorker(TrainingSettings settings, boolean followPlan, AtomicBoolean stop) {
        try {
            SnapshotSigning signing;
            try {
                signing = signing();
            } catch (IllegalArgumentException e) {
                LOG.error("not training: " + e.getMessage());
                setState(Trainer.State.FAILED, e.getMessage());
                return;
            }
            SoftmaxRegression.configureThreads(config.torchThreads());
            if (!ensureTopics(settings, stop)) {
                setState(Trainer.State.STOPPED, "stopped while waiting for Kafka");
                return;
            }
            Trainer.Snapshots options = new Trainer.Snapshots(signing, snapshotsConfig.retain(), followPlan);
            Trainer.Result result = new SelfHealingRun(() -> new Trainer(clients, settings, options,
                    config.readinessDeadline(), data, progress), progress)
                    .run(stop::get);
            setState(result.state(), result.detail());
        } catch (RuntimeException | Error e) {
            LOG.error("training run failed", e);
            setState(Trainer.State.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The configured snapshot keys ({@link SigningPolicy}); null when unsigned snapshots are allowed. */
    private SnapshotSigning signing() {
        SnapshotSigning signing = SigningPolicy.resolve(snapshotsConfig.signingKey(), snapshotsConfig.publicKeys(),
                auth.enabled()).orElse(null);
        if (signing == null) {
            LOG.warn("fmnist.auth.enabled=false and no snapshot signing key: publishing UNSIGNED snapshots");
        } else {
            LOG.infof("signing snapshots with key %s", signing.keyId());
        }
        return signing;
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
        progress.state(s, d);
    }

    /** Trainer callbacks (from the training, finisher and producer threads), passed on to the thread-safe status and metrics. */
    private final class Progress implements Trainer.Listener {
        @Override
        public void state(Trainer.State s, String d) {
            status.state(s, d);
            metrics.state(s, d);
        }

        @Override
        public void followingPlan(TrainingSettings settings) {
            activeSettings = settings;
        }

        @Override
        public void resumed(WeightSnapshot from) {
            status.resumed(from);
            metrics.resumed(from);
        }

        @Override
        public void step(long step, int samples, long nanos) {
            status.step(step, samples, nanos);
            metrics.step(step, samples, nanos);
        }

        @Override
        public void epoch(EpochSummary s) {
            status.epoch(s);
            metrics.epoch(s);
        }

        @Override
        public void snapshot(WeightSnapshot s) {
            status.snapshot(s);
            metrics.snapshot(s);
        }

        @Override
        public void deadLettered(String reason) {
            metrics.deadLettered(reason);
        }

        @Override
        public void dataMissing(List<String> missing) {
            status.dataMissing(missing);
            metrics.dataMissing(missing);
        }
    }
}
