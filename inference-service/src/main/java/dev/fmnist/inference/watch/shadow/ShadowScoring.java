package dev.fmnist.inference.watch.shadow;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.watch.ScoredRequestObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * Shadow scoring: each request a served model answered is also scored, off the request's path, by that
 * model's candidate and baseline versions (when it has any; {@link #target}), and compared with what the live
 * version answered. The request's thread only copies the 784 pixels into a bounded queue ({@code offer}, never
 * blocks; a request that finds it full is not shadowed and is counted as dropped); one daemon thread scores.
 * Answers always come from the live version. With no candidate nor baseline the observer returns at once. A
 * candidate sees every labelled request and one unlabelled request in {@code shadow.unlabelled-every}; a baseline
 * (kept for the rollback test, which counts labelled pairs only) sees the labelled requests alone.
 *
 * <p>Per model and role: {@code fmnist.inference.shadow.requests} (counter), {@code .dropped} (per model),
 * {@code .agreement}, {@code .accuracy} (the shadowed version's on the paired labelled requests),
 * {@code .live.accuracy} (the live version's on the same requests) and {@code .version} (0 when none) gauges,
 * registered for every served model at startup.
 */
@ApplicationScoped
public class ShadowScoring implements ScoredRequestObserver {
    public static final String REQUESTS = "fmnist.inference.shadow.requests";
    public static final String DROPPED = "fmnist.inference.shadow.dropped";
    public static final String AGREEMENT = "fmnist.inference.shadow.agreement";
    public static final String ACCURACY = "fmnist.inference.shadow.accuracy";
    public static final String LIVE_ACCURACY = "fmnist.inference.shadow.live.accuracy";
    public static final String VERSION = "fmnist.inference.shadow.version";
    private static final Logger LOG = Logger.getLogger(ShadowScoring.class);
    private static final long IDLE_PAUSE_MS = 5;

    /** The versions one model's requests are shadow-scored with right now (either may be null). */
    public record Targets(LoadedModel candidate, LoadedModel baseline) {
        static final Targets NONE = new Targets(null, null);

        LoadedModel of(ShadowRole role) {
            return role == ShadowRole.CANDIDATE ? candidate : baseline;
        }
    }

    /** One image to shadow-score: the live version's answer and the label (-1 when none). */
    private record Item(Slot slot, long liveVersion, byte[] pixels, int predicted, int label) {
    }

    /** One served model's targets, figures and meters. */
    private final class Slot {
        volatile Targets targets = Targets.NONE;
        /** The live version the targets were set for: baseline figures count only its answers. */
        volatile long liveVersion;
        /** When a request of this model last carried its true label (System.nanoTime; 0: never). */
        volatile long lastLabelled;
        /** Unlabelled requests seen while shadowing, for the sample; racy on purpose (a lost count shifts the sample). */
        int unlabelledSeen;
        final EnumMap<ShadowRole, PairedStats> stats = new EnumMap<>(ShadowRole.class);
        final EnumMap<ShadowRole, Counter> requests = new EnumMap<>(ShadowRole.class);
        final Counter dropped;

        Slot(String model) {
            dropped = Counter.builder(DROPPED).description("Requests not shadow-scored: the shadow queue was full")
                    .tag(InferenceMetrics.MODEL_TAG, model).register(registry);
            for (ShadowRole role : ShadowRole.values()) {
                stats.put(role, new PairedStats());
                requests.put(role, Counter.builder(REQUESTS).description("Requests shadow-scored, by role")
                        .tag(InferenceMetrics.MODEL_TAG, model).tag("role", role.tag()).register(registry));
                gauge(AGREEMENT, "Share of shadow-scored requests where the shadowed version agreed with the live one",
                        model, role, PairedStats.View::agreement);
                gauge(ACCURACY, "Online accuracy of the shadowed version on the paired labelled requests",
                        model, role, PairedStats.View::accuracy);
                gauge(LIVE_ACCURACY, "Online accuracy of the live version on the same paired labelled requests",
                        model, role, PairedStats.View::liveAccuracy);
                Gauge.builder(VERSION, this, s -> {
                            LoadedModel m = s.targets.of(role);
                            return m == null ? 0 : m.version();
                        }).description("Version shadow-scored in this role (0 when none)")
                        .tag(InferenceMetrics.MODEL_TAG, model).tag("role", role.tag()).register(registry);
            }
        }

        private void gauge(String name, String description, String model, ShadowRole role,
                           ToDoubleFunction<PairedStats.View> figure) {
            Gauge.builder(name, this, s -> {
                PairedStats.View v = s.view(role);
                return v == null ? Double.NaN : figure.applyAsDouble(v);
            }).description(description).tag(InferenceMetrics.MODEL_TAG, model).tag("role", role.tag()).register(registry);
        }

        /** The figures of the version in {@code role} against the live one, or null when none is shadowed. */
        PairedStats.View view(ShadowRole role) {
            LoadedModel m = targets.of(role);
            return m == null ? null : stats.get(role).view(m.version(), liveVersion);
        }
    }

    private final MeterRegistry registry;
    private final Map<ServedModel, Slot> slots = new IdentityHashMap<>();
    private final BlockingQueue<Item> queue;
    private final int unlabelledEvery;
    private final Thread worker;

    public ShadowScoring(ModelService models, PromotionConfig config, MeterRegistry registry) {
        this.registry = registry;
        for (ServedModel m : models.served()) {
            slots.put(m, new Slot(m.name()));
        }
        this.queue = new ArrayBlockingQueue<>(config.shadow().queue());
        if (config.shadow().unlabelledEvery() < 1) {
            throw new IllegalArgumentException("fmnist.inference.promotion.shadow.unlabelled-every must be at least 1, got "
                    + config.shadow().unlabelledEvery());
        }
        this.unlabelledEvery = config.shadow().unlabelledEvery();
        this.worker = new Thread(this::drain, "shadow-scoring");
        worker.setDaemon(true);
    }

    public void start(@Observes StartupEvent event) {
        worker.start();
    }

    public void stop(@Observes ShutdownEvent event) {
        worker.interrupt();
    }

    /** Sets what {@code model}'s requests are shadow-scored with (nulls: nothing; the copy stops at once). */
    public void target(ServedModel model, LoadedModel live, LoadedModel candidate, LoadedModel baseline) {
        Slot slot = slots.get(model);
        Targets now = slot.targets;
        long liveVersion = live == null ? 0 : live.version();
        if (now.candidate() == candidate && now.baseline() == baseline && slot.liveVersion == liveVersion) {
            return;
        }
        slot.liveVersion = liveVersion;
        slot.targets = candidate == null && baseline == null ? Targets.NONE : new Targets(candidate, baseline);
    }

    /** The figures of the version shadowed in {@code role} for {@code model}, or null when none is. */
    public PairedStats.View view(ServedModel model, ShadowRole role) {
        return slots.get(model).view(role);
    }

    /** Whether a request of {@code model} carried its true label within {@code window} (labelled traffic exists). */
    public boolean labelledWithin(ServedModel model, java.time.Duration window) {
        long last = slots.get(model).lastLabelled;
        return last != 0 && System.nanoTime() - last <= window.toNanos();
    }

    /** The role {@code version} is shadow-scored in for {@code model}, or null. */
    public ShadowRole roleOf(ServedModel model, long version) {
        Targets t = slots.get(model).targets;
        for (ShadowRole role : ShadowRole.values()) {
            LoadedModel m = t.of(role);
            if (m != null && m.version() == version) {
                return role;
            }
        }
        return null;
    }

    @Override
    public void scored(ServedModel model, LoadedModel version, byte[] pixels, int offset, int predicted, Integer label) {
        Slot slot = slots.get(model);
        if (slot == null) {
            return;
        }
        if (label != null) {
            slot.lastLabelled = System.nanoTime();
        }
        Targets t = slot.targets;
        // the baseline serves the rollback test, which counts labelled pairs only: unlabelled requests are sampled
        // for a candidate alone (without labelled traffic a baseline costs nothing)
        if (t == Targets.NONE || label == null && (t.candidate() == null || slot.unlabelledSeen++ % unlabelledEvery != 0)) {
            return;
        }
        byte[] copy = Arrays.copyOfRange(pixels, offset, offset + FashionMnist.PIXELS);
        if (!queue.offer(new Item(slot, version.version(), copy, predicted, label == null ? -1 : label))) {
            slot.dropped.increment();
        }
    }

    /**
     * Scores what the queue holds, then sleeps {@link #IDLE_PAUSE_MS} when it is empty. Nobody waits on the queue,
     * so a request's {@code offer} never has a thread to wake: a waiting {@code poll} cost every shadowed request
     * an unpark and a context switch of the event loop's core.
     */
    private void drain() {
        List<Item> batch = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            queue.drainTo(batch);
            if (batch.isEmpty()) {
                try {
                    Thread.sleep(IDLE_PAUSE_MS);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            for (Item item : batch) {
                try {
                    score(item);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "shadow scoring failed (the request was answered by the live version)");
                }
            }
            batch.clear();
        }
    }

    private void score(Item item) {
        Slot slot = item.slot();
        Targets t = slot.targets;
        if (item.liveVersion() != slot.liveVersion) {
            return; // answered by a version that is no longer live: not a pair of the versions compared now
        }
        for (ShadowRole role : ShadowRole.values()) {
            LoadedModel shadow = t.of(role);
            if (shadow == null || role == ShadowRole.BASELINE && item.label() < 0) {
                continue;
            }
            int predicted = Scorer.argmax(Scorer.score(shadow, item.pixels()));
            slot.stats.get(role).record(shadow.version(), item.liveVersion(), item.predicted(), predicted, item.label());
            slot.requests.get(role).increment();
        }
    }
}
