package dev.fmnist.inference.service;

import dev.fmnist.api.OnlineAccuracy;
import dev.fmnist.contracts.Alert;
import dev.fmnist.inference.domain.LoadedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntToDoubleFunction;

/**
 * Every meter of the service, {@code fmnist.inference.*}. A meter about one model carries the tag
 * {@value #MODEL_TAG} (its model name, e.g. {@code fmnist-cnn}); its values are the served model names
 * plus {@value #UNKNOWN_MODEL} (a request naming a model not served here) and {@value #OTHER_MODEL}
 * (a record on a shared topic for a model not served here), so the tag stays a small fixed set. Hot-path
 * meters are created once per model ({@link ModelMeters}) and looked up by enum ordinal, so recording a
 * request costs no registry lookup.
 */
@ApplicationScoped
public class InferenceMetrics {
    public static final String REQUESTS = "fmnist.inference.requests";
    public static final String LATENCY = "fmnist.inference.latency";
    public static final String BATCH_SIZE = "fmnist.inference.batch.size";
    public static final String MODEL_VERSION = "fmnist.inference.model.version";
    public static final String MODEL_AGE = "fmnist.inference.model.age.seconds";
    public static final String SWAPS = "fmnist.inference.model.swaps";
    public static final String SNAPSHOTS = "fmnist.inference.snapshots";
    public static final String SNAPSHOTS_REJECTED = "fmnist.inference.snapshots.rejected";
    public static final String MODEL_CONTROL = "fmnist.inference.model.control";
    public static final String DEAD_LETTERS = "fmnist.inference.dead.letters";
    public static final String DEAD_LETTERS_FAILED = "fmnist.inference.dead.letters.failed";
    public static final String REQUEST_LAG = "fmnist.inference.requests.lag";
    public static final String ACCURACY_CORRECT = "fmnist.inference.accuracy.correct";
    public static final String ACCURACY_LABELLED = "fmnist.inference.accuracy.labelled";
    public static final String ACCURACY = "fmnist.inference.accuracy.online";
    /** Alerts raised by this replica ({@link Alert}), by {@code kind} and model (every kind at 0 from startup). */
    public static final String ALERTS = "fmnist.inference.alerts";
    /** The tag naming the model a meter is about. */
    public static final String MODEL_TAG = "model";
    /** {@value #MODEL_TAG} of a request that named a model this replica does not serve. */
    public static final String UNKNOWN_MODEL = "unknown";
    /** {@value #MODEL_TAG} of a snapshot or model-control record of a model this replica does not serve. */
    public static final String OTHER_MODEL = "other";
    /** {@link #SNAPSHOTS_REJECTED}'s {@code reason}: not trusted (no key, signature, key/content mismatch, decoding). */
    public static final String REJECTED_UNTRUSTED = "untrusted";
    /** {@link #SNAPSHOTS_REJECTED}'s {@code reason}: a version too far above the highest seen. */
    public static final String REJECTED_VERSION_JUMP = "version_jump";
    /** {@link #SNAPSHOTS_REJECTED}'s {@code reason}: a network whose family is not its model name's. */
    public static final String REJECTED_FAMILY_MISMATCH = "family_mismatch";
    /** {@link #SNAPSHOTS_REJECTED}'s {@code reason}: authentic, but with non-finite weights (a diverged run). */
    public static final String REJECTED_DIVERGED = "diverged";
    /** Every {@code reason} of {@link #SNAPSHOTS_REJECTED}, registered up front for every served model. */
    static final List<String> SNAPSHOT_REJECTION_REASONS =
            List.of(REJECTED_UNTRUSTED, REJECTED_VERSION_JUMP, REJECTED_FAMILY_MISMATCH, REJECTED_DIVERGED);
    /** Model versions whose online-accuracy counters are kept, per model. */
    static final int TRACKED_VERSIONS = 10;

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter deadLettersFailed;
    private final MultiGauge requestLag;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, Counter> alerts = new ConcurrentHashMap<>();
    private final Map<String, ModelMeters> models = new ConcurrentHashMap<>();

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.clock = Clock.systemUTC();
        requestLag = MultiGauge.builder(REQUEST_LAG)
                .description("Records on a partition of fmnist.requests that this replica owns and has not fetched yet")
                .register(registry);
        deadLettersFailed = Counter.builder(DEAD_LETTERS_FAILED)
                .description("Dead letters given up after every retry (logged with the record's coordinates)")
                .register(registry);
    }

    /**
     * The meters of one model, registered at the first call (the model service calls it for every served
     * model at startup, so their series exist from the start). Callers pass only served names or the two
     * fixed fallbacks.
     */
    public ModelMeters model(String modelName) {
        return models.computeIfAbsent(modelName, ModelMeters::new);
    }

    /** Counts a request that failed before it reached the service (415, unknown route, body limit). */
    public void rejectedRequest(String modelName, ContentKind kind, Outcome outcome) {
        model(modelName).rejectedRequest(kind, outcome);
    }

    /** A snapshot record of {@code modelName}: swapped / ignored_not_newer / retained_while_pinned / other_model. */
    public void snapshot(String modelName, String outcome) {
        model(modelName).snapshot(outcome);
    }

    /** A model-control record of {@code modelName}: applied / stale / other_model / rejected. */
    public void control(String modelName, String outcome) {
        model(modelName).control(outcome);
    }

    /**
     * A snapshot refused (dead-lettered, never served), by {@code reason}: untrusted (signature, key, decoding),
     * version_jump, family_mismatch.
     */
    public void snapshotRejected(String modelName, String reason) {
        model(modelName).rejected(reason).increment();
    }

    public void deadLettered(String sourceTopic) {
        deadLetters.computeIfAbsent(sourceTopic, t -> Counter.builder(DEAD_LETTERS)
                .description("Records sent to the dead-letter topic, by source topic").tag("source", t)
                .register(registry)).increment();
    }

    /** An alert this replica raised ({@code kind} = promoted, refused, rolled-back, drift). */
    public void alerted(String modelName, Alert.Kind kind) {
        alerts(modelName, kind).increment();
    }

    /**
     * The alert counter of a model and kind; every kind is registered at 0 for every served model with its
     * other meters, so an alerting rule's {@code increase()} and the dashboard see the series from the start.
     */
    private Counter alerts(String modelName, Alert.Kind kind) {
        return alerts.computeIfAbsent(modelName + "\n" + kind.wire(), k -> Counter.builder(ALERTS)
                .description("Alerts raised by this replica (also on fmnist.alerts), by kind and model")
                .tag(MODEL_TAG, modelName).tag("kind", kind.wire()).register(registry));
    }

    public void deadLetterFailed() {
        deadLettersFailed.increment();
    }

    /**
     * The lag rows of this replica: one per partition of {@code topic} it is assigned now in consumer group
     * {@code group} (tags {@code topic}, {@code partition}, {@code group}), each reading {@code lag} of its
     * partition; rows of partitions no longer assigned are removed, so summing over every replica counts each
     * partition once (called after every rebalance). Micrometer holds a row's object weakly: the caller keeps
     * {@code lag} referenced.
     */
    public void requestLagPartitions(String topic, String group, Collection<Integer> partitions,
                                     IntToDoubleFunction lag) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (int partition : partitions) {
            rows.add(MultiGauge.Row.of(Tags.of("topic", topic, "partition", String.valueOf(partition), "group", group),
                    lag, l -> l.applyAsDouble(partition)));
        }
        requestLag.register(rows, true);
    }

    /** The meters of one model, all tagged {@value #MODEL_TAG}. */
    public final class ModelMeters {
        private final String name;
        private final Counter[][] requests = new Counter[ContentKind.values().length][Outcome.values().length];
        private final Timer[] latency = new Timer[ContentKind.values().length];
        private final DistributionSummary batchSize;
        private final Counter swaps;
        private final AtomicReference<LoadedModel> live = new AtomicReference<>();
        private final Map<Long, Counter[]> accuracy = new ConcurrentHashMap<>();
        private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
        private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

        /**
         * A served model has every meter; {@value #UNKNOWN_MODEL} only the request meters (a request can
         * name a model not served), {@value #OTHER_MODEL} only the record counters (the shared topics carry
         * other models' records).
         */
        private ModelMeters(String name) {
            this.name = name;
            boolean served = !name.equals(UNKNOWN_MODEL) && !name.equals(OTHER_MODEL);
            if (!name.equals(OTHER_MODEL)) {
                for (ContentKind kind : ContentKind.values()) {
                    for (Outcome outcome : Outcome.values()) {
                        requests[kind.ordinal()][outcome.ordinal()] = Counter.builder(REQUESTS)
                                .description("Classification requests by model, content type and outcome")
                                .tag(MODEL_TAG, name).tag("content.type", kind.tag()).tag("outcome", outcome.tag())
                                .register(registry);
                    }
                    latency[kind.ordinal()] = Timer.builder(LATENCY)
                            .description("Time to classify a request, from its parsed body to the answer")
                            .tag(MODEL_TAG, name).tag("content.type", kind.tag())
                            .publishPercentileHistogram()
                            .publishPercentiles(0.5, 0.95, 0.99)
                            .register(registry);
                }
            }
            if (!served) {
                batchSize = null;
                swaps = null;
                return;
            }
            batchSize = DistributionSummary.builder(BATCH_SIZE).description("Images per JSON batch request")
                    .tag(MODEL_TAG, name).register(registry);
            swaps = Counter.builder(SWAPS).description("Times the live model changed (new snapshot, pin, rollback)")
                    .tag(MODEL_TAG, name).register(registry);
            Gauge.builder(MODEL_VERSION, live, r -> r.get() == null ? Double.NaN : r.get().version())
                    .description("Version of the live model (NaN before the first)").tag(MODEL_TAG, name)
                    .register(registry);
            Gauge.builder(MODEL_AGE, live, r -> r.get() == null ? Double.NaN
                            : (clock.millis() - r.get().createdAt().toEpochMilli()) / 1000.0)
                    .description("Seconds since the live model's snapshot was taken").baseUnit("seconds")
                    .tag(MODEL_TAG, name).register(registry);
            Gauge.builder(ACCURACY, this, ModelMeters::liveAccuracy)
                    .description("Online accuracy of the live version on requests that carried their true label")
                    .tag(MODEL_TAG, name).register(registry);
            for (String reason : SNAPSHOT_REJECTION_REASONS) {
                rejected(reason);
            }
            for (Alert.Kind kind : Alert.Kind.values()) {
                alerts(name, kind);
            }
        }

        private Counter rejected(String reason) {
            return rejected.computeIfAbsent(reason, r -> Counter.builder(SNAPSHOTS_REJECTED)
                    .description("Snapshots refused (dead-lettered, never served), by reason")
                    .tag(MODEL_TAG, name).tag("reason", r).register(registry));
        }

        public String name() {
            return name;
        }

        public void request(ContentKind kind, Outcome outcome, long startNanos) {
            requests[kind.ordinal()][outcome.ordinal()].increment();
            latency[kind.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }

        /** Counts a request refused before it was scored (no latency: nothing was timed). */
        public void rejectedRequest(ContentKind kind, Outcome outcome) {
            requests[kind.ordinal()][outcome.ordinal()].increment();
        }

        public void batch(int size) {
            batchSize.record(size);
        }

        public void swapped(LoadedModel model) {
            live.set(model);
            swaps.increment();
            forgetOldVersions();
        }

        /** Online accuracy: a request that carried its true label, scored by {@code version} of this model. */
        public void labelled(long version, boolean correct) {
            Counter[] c = accuracy.computeIfAbsent(version, v -> new Counter[] {
                    Counter.builder(ACCURACY_CORRECT).description("Labelled requests classified correctly")
                            .tag(MODEL_TAG, name).tag("model.version", Long.toString(v)).register(registry),
                    Counter.builder(ACCURACY_LABELLED).description("Labelled requests")
                            .tag(MODEL_TAG, name).tag("model.version", Long.toString(v)).register(registry)});
            if (correct) {
                c[0].increment();
            }
            c[1].increment();
        }

        /** The online accuracy of the live version and the counts of every tracked version, oldest first. */
        public OnlineAccuracy onlineAccuracy() {
            List<OnlineAccuracy.Version> versions = new ArrayList<>();
            new TreeMap<>(accuracy).forEach((version, c) -> versions.add(new OnlineAccuracy.Version(version,
                    (long) c[0].count(), (long) c[1].count(), c[1].count() > 0 ? c[0].count() / c[1].count() : null)));
            double acc = liveAccuracy();
            return new OnlineAccuracy(Double.isNaN(acc) ? null : acc, versions);
        }

        /** A snapshot record of this model, by what was done with it. */
        public void snapshot(String outcome) {
            count(SNAPSHOTS, "Snapshot records read, by what was done with them", outcome);
        }

        /** A model-control record of this model, by what was done with it. */
        public void control(String outcome) {
            count(MODEL_CONTROL, "Model-control records (pin, unpin, rollback) read, by what was done with them",
                    outcome);
        }

        private void count(String meter, String description, String outcome) {
            outcomes.computeIfAbsent(meter + '/' + outcome, k -> Counter.builder(meter).description(description)
                    .tag(MODEL_TAG, name).tag("outcome", outcome).register(registry)).increment();
        }

        /**
         * Keeps the online-accuracy series of the newest {@link #TRACKED_VERSIONS} versions only, so a
         * trainer in continuous mode (a new version every half minute) cannot grow the series forever.
         */
        private void forgetOldVersions() {
            if (accuracy.size() <= TRACKED_VERSIONS) {
                return;
            }
            accuracy.keySet().stream().sorted(Comparator.reverseOrder()).skip(TRACKED_VERSIONS).toList()
                    .forEach(v -> {
                        Counter[] c = accuracy.remove(v);
                        if (c != null) {
                            registry.remove(c[0]);
                            registry.remove(c[1]);
                        }
                    });
        }

        private double liveAccuracy() {
            LoadedModel m = live.get();
            Counter[] c = m == null ? null : accuracy.get(m.version());
            return c == null || c[1].count() == 0 ? Double.NaN : c[0].count() / c[1].count();
        }
    }
}
