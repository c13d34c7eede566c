package dev.fmnist.inference.promotion;

import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.ModelVerdict.Verdict;
import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.inference.domain.VersionVerdict;
import dev.fmnist.inference.messaging.AlertPublisher;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.watch.shadow.ShadowRole;
import dev.fmnist.inference.watch.shadow.ShadowScoring;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Makes this replica's promotion decisions and writes them as verdicts on fmnist.model-control, which every
 * replica (this one included) applies: a look every {@link #LOOK} per served model, on one thread of its own
 * (a {@code ScheduledExecutorService}, not Quarkus' scheduler: the looks must not overlap and the extension
 * is not a dependency here).
 * <ul>
 *   <li><b>Candidates</b> (gated): {@link OfflineGates} first (a failure is a refusal at once); the first model
 *   of a name is promoted when it passes them; else the newest candidate is shadow-scored and
 *   {@link ShadowGate} decides once it has {@code shadow.min-labelled} paired labelled requests. Where there is no
 *   labelled traffic (no labelled request of the model within {@code shadow.max-wait}) the offline gates decide
 *   at once; a candidate still undecided after {@code shadow.max-wait} (too little labelled traffic) is promoted
 *   on its offline gates.</li>
 *   <li><b>Rollback</b> (either policy, unless pinned): the baseline (the version a rollback would serve) is
 *   shadow-scored; every {@code rollback.min-labelled} paired labelled requests, up to {@code rollback.window}
 *   of them, {@link McNemar} tests whether the live version is worse, at {@code rollback.confidence} over the
 *   window's looks; worse: a roll-back verdict on the live version. After the window the live version is
 *   confirmed and the baseline no longer shadowed.</li>
 * </ul>
 * Only a version without a verdict gets one (a rollback replaces a promote); the replica whose verdict was
 * written raises the alert. A verdict written but not read back within {@code control-apply-timeout} (the follower
 * slow to reconnect after an outage) is not decided again until it is in force: a second look would otherwise find
 * the version undecided and write a second verdict and a second alert. Two replicas may decide the same version within one read-back (the follower's poll
 * plus a produce): both verdicts are then on the topic and the later one is in force on every replica alike
 * (and after compaction), so they never diverge; the offline gates give both the same answer.
 */
@ApplicationScoped
public class Promoter {
    /** Time between looks: decisions are not on any request's path, a fraction of a second is plenty. */
    static final Duration LOOK = Duration.ofMillis(200);
    public static final String CANDIDATES = "fmnist.inference.promotion.candidates";
    /** Verdict keys deleted at most per look and model. */
    static final int DELETES_PER_LOOK = 64;
    private static final Logger LOG = Logger.getLogger(Promoter.class);

    private final ModelService models;
    private final PromotionPolicy policy;
    private final ShadowScoring shadow;
    private final VerdictWriter writer;
    private final AlertPublisher alerts;
    private final Clock clock;
    private final ScheduledExecutorService looks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "promoter");
        t.setDaemon(true);
        return t;
    });
    /** When this replica first saw each candidate (model/version), for max-wait; bounded by the retained versions. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    /** Per model, the live version confirmed after a full rollback window (its baseline is shadowed no more). */
    private final Map<String, Long> confirmed = new ConcurrentHashMap<>();
    /** Per model, the last look of the rollback test (paired labelled count / min-labelled) for the live version. */
    private final Map<String, long[]> lastLook = new ConcurrentHashMap<>();
    /**
     * Verdicts this replica wrote (model/version) that its follower has not read back yet (a slow read after an
     * outage): the version is not decided again meanwhile, which would write a second verdict and a second alert.
     * An entry goes once the verdict in force on its version is as recent as it, so it holds a few versions at most.
     */
    private final Map<String, ModelVerdict> unread = new ConcurrentHashMap<>();

    public Promoter(ModelService models, PromotionPolicy policy, ShadowScoring shadow, VerdictWriter writer,
                    AlertPublisher alerts, MeterRegistry registry) {
        this.models = models;
        this.policy = policy;
        this.shadow = shadow;
        this.writer = writer;
        this.alerts = alerts;
        this.clock = Clock.systemUTC();
        for (ServedModel m : models.served()) {
            Gauge.builder(CANDIDATES, m, s -> s.registry().state().candidates().size())
                    .description("Versions waiting for a promotion verdict (gated)")
                    .tag(InferenceMetrics.MODEL_TAG, m.name()).register(registry);
        }
    }

    void start(@Observes StartupEvent event) {
        looks.scheduleWithFixedDelay(this::lookSafely, LOOK.toMillis(), LOOK.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        looks.shutdownNow();
    }

    /**
     * Refuses a version whose authentic snapshot could not be loaded (non-finite weights: a diverged run), when
     * it has no verdict yet, with an alert. Runs on the promoter's thread (the caller, the snapshot consumer,
     * must not wait for the broker).
     */
    public void refuseUnloadable(ServedModel model, long version, String reason) {
        looks.execute(() -> refuseUnloadableOnceCaughtUp(model, version, reason));
    }

    /**
     * Waits (a look at a time) for the topics to be read to their ends first: a restarted replica reads an old
     * diverged snapshot again, whose verdict may since have been deleted because it can no longer matter.
     */
    private void refuseUnloadableOnceCaughtUp(ServedModel model, long version, String reason) {
        if (!writer.caughtUp()) {
            if (!looks.isShutdown()) {
                looks.schedule(() -> refuseUnloadableOnceCaughtUp(model, version, reason), LOOK.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
            return;
        }
        if (model.registry().state().verdict(version) != null || model.registry().releases(version)) {
            return;
        }
        LoadedModel live = model.live();
        decide(model, version, Verdict.REFUSE, reason, Alert.Kind.REFUSED,
                versions("candidate", version, "live", live), Map.of());
    }

    private void lookSafely() {
        if (!writer.caughtUp()) {
            return; // decisions of others not read yet: deciding now could contradict them
        }
        for (ServedModel m : models.served()) {
            try {
                look(m);
                deleteReleased(m);
            } catch (RuntimeException | LinkageError e) {
                // anything thrown out of a scheduled task would cancel every later look, silently
                LOG.errorf(e, "promotion look at %s failed (retried at the next look)", m.name());
            }
        }
    }

    /** One look at one model: its candidates, its rollback test, then what is shadow-scored. */
    void look(ServedModel m) {
        ModelRegistry.State s = m.registry().state();
        PromotionPolicy.Gates gates = policy.gates(m.name());
        List<LoadedModel> candidates = s.candidates();
        LoadedModel shadowed = candidates.isEmpty() ? null : candidates.get(candidates.size() - 1);
        Instant now = clock.instant();
        for (LoadedModel c : candidates) {
            if (judge(m, s, c, c == shadowed, gates, now)) {
                return; // a verdict was written: look again at the new state
            }
        }
        firstSeen.keySet().removeIf(k -> k.startsWith(m.name() + "/") && candidates.stream()
                .noneMatch(c -> k.equals(ModelVerdict.key(m.name(), c.version()))));
        LoadedModel baseline = rollbackBaseline(m, s);
        if (baseline != null && rollback(m, s, baseline)) {
            return;
        }
        shadow.target(m, s.live(), s.live() == null ? null : shadowed, baseline);
    }

    /** Whether a verdict this replica wrote is in force (or no longer matters); the wire keeps milliseconds. */
    private static boolean readBack(ServedModel m, ModelVerdict written) {
        VersionVerdict inForce = m.registry().state().verdict(written.version());
        return inForce != null && inForce.decidedAt().toEpochMilli() >= written.decidedAt().toEpochMilli()
                || m.registry().releases(written.version());
    }

    /**
     * Deletes (tombstones) the verdict keys of versions that can no longer matter ({@link ModelRegistry#releasedVerdicts}),
     * at most {@link #DELETES_PER_LOOK} a look so that judging is not held up (a first start over a topic written
     * before deletions releases every old verdict at once). Every replica does it; the first tombstone read back
     * releases the key everywhere.
     */
    void deleteReleased(ServedModel m) {
        // a version read back is no longer judged, so decide() would never drop its entry
        unread.values().removeIf(w -> w.modelName().equals(m.name()) && readBack(m, w));
        List<Long> released = m.registry().releasedVerdicts();
        for (long v : released.subList(0, Math.min(released.size(), DELETES_PER_LOOK))) {
            try {
                writer.delete(m, v);
            } catch (RuntimeException e) {
                LOG.warnf("could not delete the verdict on %s v%d (tried again at the next look): %s", m.name(), v,
                        e.getMessage());
                return;
            }
        }
    }

    /** Decides one candidate if it can be; true when a verdict was written. */
    private boolean judge(ServedModel m, ModelRegistry.State s, LoadedModel c, boolean shadowed,
                          PromotionPolicy.Gates gates, Instant now) {
        Instant seen = firstSeen.computeIfAbsent(ModelVerdict.key(m.name(), c.version()), k -> now);
        LoadedModel live = s.live();
        OfflineGates.Result offline = OfflineGates.check(c, live, gates.floor(), gates.tolerance());
        Map<String, Long> versions = versions("candidate", c.version(), "live", live);
        if (!offline.passed()) {
            return decide(m, c.version(), Verdict.REFUSE, "offline gate: " + offline.reason(), Alert.Kind.REFUSED,
                    versions, offline.figures());
        }
        if (live == null) {
            return decide(m, c.version(), Verdict.PROMOTE, "offline gates: " + offline.reason(), Alert.Kind.PROMOTED,
                    versions("candidate", c.version(), "previous", null), offline.figures());
        }
        PromotionConfig.Shadow cfg = policy.shadow();
        var view = shadowed ? shadow.view(m, ShadowRole.CANDIDATE) : null;
        boolean paired = view != null && view.shadowVersion() == c.version() && view.liveVersion() == live.version();
        long labelled = paired ? view.labelled() : 0;
        Map<String, Double> figures = new LinkedHashMap<>(offline.figures());
        if (paired && view.labelled() > 0) {
            figures.put("shadowLabelled", (double) view.labelled());
            figures.put("shadowAccuracy", view.accuracy());
            figures.put("shadowLiveAccuracy", view.liveAccuracy());
            figures.put("shadowAgreement", view.agreement());
        }
        Map<String, Long> promoted = versions("candidate", c.version(), "previous", live);
        if (paired) {
            ShadowGate.Result g = ShadowGate.decide(view.labelled(), view.shadowCorrect(), view.liveCorrect(),
                    cfg.minLabelled(), gates.tolerance());
            if (g.outcome() == ShadowGate.Outcome.PASS) {
                return decide(m, c.version(), Verdict.PROMOTE, "shadow gate: " + g.reason(), Alert.Kind.PROMOTED,
                        promoted, figures);
            }
            if (g.outcome() == ShadowGate.Outcome.FAIL) {
                return decide(m, c.version(), Verdict.REFUSE, "shadow gate: " + g.reason(), Alert.Kind.REFUSED,
                        versions, figures);
            }
        }
        if (labelled == 0 && !shadow.labelledWithin(m, cfg.maxWait())) {
            return decide(m, c.version(), Verdict.PROMOTE, String.format(Locale.ROOT, "offline gates: %s; no labelled "
                            + "request in the last %s, so the offline gates decide", offline.reason(), cfg.maxWait()),
                    Alert.Kind.PROMOTED, promoted, figures);
        }
        if (!now.isBefore(seen.plus(cfg.maxWait()))) {
            return decide(m, c.version(), Verdict.PROMOTE, String.format(Locale.ROOT, "offline gates: %s; %d of %d "
                            + "labelled requests shadowed within %s, so the offline gates decide", offline.reason(), labelled,
                    cfg.minLabelled(), cfg.maxWait()), Alert.Kind.PROMOTED, promoted, figures);
        }
        return false;
    }

    /** The baseline to shadow for the rollback test, or null (off, pinned, none, or the live version confirmed). */
    private LoadedModel rollbackBaseline(ServedModel m, ModelRegistry.State s) {
        if (!policy.rollback().enabled() || s.pinned() != null || s.live() == null || s.baseline() == null) {
            return null;
        }
        Long ok = confirmed.get(m.name());
        return ok != null && ok == s.live().version() ? null : s.baseline();
    }

    /** The rollback test at its looks; true when a roll-back verdict was written. */
    private boolean rollback(ServedModel m, ModelRegistry.State s, LoadedModel baseline) {
        var view = shadow.view(m, ShadowRole.BASELINE);
        LoadedModel live = s.live();
        if (view == null || view.shadowVersion() != baseline.version() || view.liveVersion() != live.version()) {
            return false;
        }
        PromotionConfig.Rollback cfg = policy.rollback();
        long look = view.labelled() / cfg.minLabelled();
        long[] last = lastLook.computeIfAbsent(m.name(), k -> new long[] {-1, 0});
        if (last[0] != live.version()) {
            last[0] = live.version();
            last[1] = 0;
        }
        if (look <= last[1]) {
            return false;
        }
        last[1] = look;
        int looks = cfg.window() / cfg.minLabelled();
        double p = McNemar.pWorse(view.onlyShadowRight(), view.onlyLiveRight());
        LOG.debugf("%s rollback look %d: v%d against baseline v%d on %d labelled requests, discordant %d/%d, p = %.3g",
                m.name(), look, live.version(), baseline.version(), view.labelled(), view.onlyShadowRight(),
                view.onlyLiveRight(), p);
        if (McNemar.worse(view.onlyShadowRight(), view.onlyLiveRight(), cfg.confidence(), looks)) {
            Map<String, Double> figures = new LinkedHashMap<>();
            figures.put("labelled", (double) view.labelled());
            figures.put("liveAccuracy", view.liveAccuracy());
            figures.put("baselineAccuracy", view.accuracy());
            figures.put("onlyBaselineRight", (double) view.onlyShadowRight());
            figures.put("onlyLiveRight", (double) view.onlyLiveRight());
            figures.put("pValue", p);
            figures.put("confidence", cfg.confidence());
            String reason = String.format(Locale.ROOT, "online accuracy %.4f against v%d's %.4f on the same %d labelled "
                            + "requests: worse by McNemar's one-sided exact test (p = %.2g < %.2g, confidence %.4f over %d "
                            + "looks); v%d serves again", view.liveAccuracy(), baseline.version(), view.accuracy(),
                    view.labelled(), p, (1 - cfg.confidence()) / looks, cfg.confidence(), looks, baseline.version());
            return decide(m, live.version(), Verdict.ROLL_BACK, reason, Alert.Kind.ROLLED_BACK,
                    versions("from", live.version(), "to", baseline), figures);
        }
        if (view.labelled() >= cfg.window()) {
            confirmed.put(m.name(), live.version());
            LOG.infof("%s v%d confirmed: not worse than v%d on %d labelled requests (p = %.3g); baseline released",
                    m.name(), live.version(), baseline.version(), view.labelled(), p);
        }
        return false;
    }

    /**
     * Writes a verdict on {@code version} unless one is in force that it may not replace (only a rollback replaces
     * a promote), then raises the alert. False when nothing was written (in force already, or the broker failed:
     * the next look tries again).
     */
    private boolean decide(ServedModel m, long version, Verdict verdict, String reason, Alert.Kind kind,
                           Map<String, Long> versions, Map<String, Double> figures) {
        VersionVerdict inForce = m.registry().state().verdict(version);
        String key = ModelVerdict.key(m.name(), version);
        ModelVerdict written = unread.get(key);
        if (written != null && !readBack(m, written)) {
            return false; // written already, not read back yet
        }
        unread.remove(key);
        if (inForce != null && !(verdict == Verdict.ROLL_BACK && inForce.verdict() == Verdict.PROMOTE)) {
            return false;
        }
        Instant now = clock.instant();
        // later than the verdict it replaces even if this replica's clock is behind the one that made it
        Instant at = inForce == null || now.isAfter(inForce.decidedAt()) ? now : inForce.decidedAt().plusMillis(1);
        ModelVerdict decision = new ModelVerdict(m.name(), version, verdict, reason, at);
        try {
            if (!writer.write(m, decision)) {
                unread.put(key, decision);
                LOG.warnf("the verdict %s on %s v%d is written but not read back yet: not decided again until it is",
                        verdict.name(), m.name(), version);
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not write the verdict %s on %s v%d (tried again at the next look): %s", verdict.name(),
                    m.name(), version, e.getMessage());
            return false;
        }
        alerts.raise(kind, m.name(), versions, reason, finite(figures));
        return true;
    }

    private static Map<String, Long> versions(String role, long version, String otherRole, Object other) {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put(role, version);
        if (other instanceof LoadedModel o) {
            out.put(otherRole, o.version());
        } else if (other instanceof Long l) {
            out.put(otherRole, l);
        }
        return out;
    }

    private static Map<String, Double> finite(Map<String, Double> figures) {
        Map<String, Double> out = new HashMap<>();
        figures.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
