package dev.fmnist.inference.service;

import dev.fmnist.api.OnlineAccuracy;
import dev.fmnist.inference.domain.LoadedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every meter of the service, {@code fmnist.inference.*}. Hot-path meters are created once and
 * looked up by enum ordinal, so recording a request costs no registry lookup.
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

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter[][] requests = new Counter[ContentKind.values().length][Outcome.values().length];
    private final Timer[] latency = new Timer[ContentKind.values().length];
    private final io.micrometer.core.instrument.DistributionSummary batchSize;
    private final Counter swaps;
    private final Counter rejected;
    private final Counter deadLettersFailed;
    private final Map<String, Counter> snapshotOutcomes = new ConcurrentHashMap<>();
    private final Map<String, Counter> controlOutcomes = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<Long, Counter[]> accuracy = new ConcurrentHashMap<>();
    /** Model versions whose online-accuracy counters are kept. */
    static final int TRACKED_VERSIONS = 10;
    private final AtomicReference<LoadedModel> live = new AtomicReference<>();

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.clock = Clock.systemUTC();
        for (ContentKind kind : ContentKind.values()) {
            for (Outcome outcome : Outcome.values()) {
                requests[kind.ordinal()][outcome.ordinal()] = Counter.builder(REQUESTS)
                        .description("Classification requests by content type and outcome")
                        .tag("content.type", kind.tag()).tag("outcome", outcome.tag()).register(registry);
            }
            latency[kind.ordinal()] = Timer.builder(LATENCY)
                    .description("Time to classify a request, from its parsed body to the answer")
                    .tag("content.type", kind.tag())
                    .publishPercentileHistogram()
                    .publishPercentiles(0.5, 0.95, 0.99)
                    .register(registry);
        }
        batchSize = io.micrometer.core.instrument.DistributionSummary.builder(BATCH_SIZE)
                .description("Images per JSON batch request").register(registry);
        swaps = Counter.builder(SWAPS).description("Times the live model changed (new snapshot, pin, rollback)")
                .register(registry);
        rejected = Counter.builder(SNAPSHOTS_REJECTED).description("Snapshots that failed validation")
                .register(registry);
        deadLettersFailed = Counter.builder(DEAD_LETTERS_FAILED)
                .description("Dead letters given up after every retry (logged with the record's coordinates)")
                .register(registry);
        Gauge.builder(MODEL_VERSION, live, r -> r.get() == null ? Double.NaN : r.get().version())
                .description("Version of the live model (NaN before the first)").register(registry);
        Gauge.builder(MODEL_AGE, live, r -> r.get() == null ? Double.NaN
                        : (clock.millis() - r.get().createdAt().toEpochMilli()) / 1000.0)
                .description("Seconds since the live model's snapshot was taken").baseUnit("seconds").register(registry);
        Gauge.builder(ACCURACY, this, InferenceMetrics::liveAccuracy)
                .description("Online accuracy of the live version on requests that carried their true label")
                .register(registry);
    }

    public void request(ContentKind kind, Outcome outcome, long startNanos) {
        requests[kind.ordinal()][outcome.ordinal()].increment();
        latency[kind.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a request that failed before it reached the service (415, unknown route, body limit). */
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

    /**
     * Keeps the online-accuracy series of the newest {@link #TRACKED_VERSIONS} versions only, so a
     * trainer in continuous mode (a new version every half minute) cannot grow the series forever.
     */
    private void forgetOldVersions() {
        if (accuracy.size() <= TRACKED_VERSIONS) {
            return;
        }
        accuracy.keySet().stream().sorted(java.util.Comparator.reverseOrder()).skip(TRACKED_VERSIONS).toList()
                .forEach(v -> {
                    Counter[] c = accuracy.remove(v);
                    if (c != null) {
                        registry.remove(c[0]);
                        registry.remove(c[1]);
                    }
                });
    }

    /** A snapshot record: accepted / ignored_not_newer / retained_while_pinned / other_model. */
    public void snapshot(String outcome) {
        snapshotOutcomes.computeIfAbsent(outcome, o -> Counter.builder(SNAPSHOTS)
                .description("Snapshot records read, by what was done with them").tag("outcome", o)
                .register(registry)).increment();
    }

    /** A model-control record: applied / stale / other_model / rejected. */
    public void control(String outcome) {
        controlOutcomes.computeIfAbsent(outcome, o -> Counter.builder(MODEL_CONTROL)
                .description("Model-control records (pin, unpin, rollback) read, by what was done with them")
                .tag("outcome", o).register(registry)).increment();
    }

    public void snapshotRejected() {
        rejected.increment();
    }

    public void deadLettered(String sourceTopic) {
        deadLetters.computeIfAbsent(sourceTopic, t -> Counter.builder(DEAD_LETTERS)
                .description("Records sent to the dead-letter topic, by source topic").tag("source", t)
                .register(registry)).increment();
    }

    public void deadLetterFailed() {
        deadLettersFailed.increment();
    }

    /** Records on fmnist.requests this replica's consumer has not fetched yet (NaN when unknown). */
    public void requestLag(java.util.function.DoubleSupplier lag) {
        Gauge.builder(REQUEST_LAG, lag, java.util.function.DoubleSupplier::getAsDouble)
                .description("Records on fmnist.requests not yet fetched by this replica (sum over its partitions)")
                .strongReference(true).register(registry);
    }

    /** Online accuracy: a request that carried its true label, scored by {@code version}. */
    public void labelled(long version, boolean correct) {
        Counter[] c = accuracy.computeIfAbsent(version, v -> new Counter[] {
                Counter.builder(ACCURACY_CORRECT).description("Labelled requests classified correctly")
                        .tag("model.version", Long.toString(v)).register(registry),
                Counter.builder(ACCURACY_LABELLED).description("Labelled requests")
                        .tag("model.version", Long.toString(v)).register(registry)});
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
        double live = liveAccuracy();
        return new OnlineAccuracy(Double.isNaN(live) ? null : live, versions);
    }

    private double liveAccuracy() {
        LoadedModel m = live.get();
        Counter[] c = m == null ? null : accuracy.get(m.version());
        return c == null || c[1].count() == 0 ? Double.NaN : c[0].count() / c[1].count();
    }
}
