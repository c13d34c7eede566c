package dev.fmnist.inference.domain;

import dev.fmnist.inference.config.PromotionConfig.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The live model, the last few versions, the pin and the promotion verdicts of one model.
 *
 * <p>Readers call {@link #live()}: one volatile read, no lock, so a swap never stalls a request and
 * a request keeps the version it read for its whole scoring. Writers (the snapshot consumer, the
 * model-control follower) are serialised by this object's monitor and publish a new immutable
 * {@link State} at once.
 *
 * <p>Rules: a snapshot whose version is not above the highest version seen is ignored. Which retained version
 * serves is {@link ServingRule} (pin, else the policy over the verdicts). Retained are the newest {@code keep}
 * versions, plus the pinned, the live and the baseline ones whatever their age (under {@code gated} a run of
 * refused candidates must not push the live version out). Pins and verdicts are decided on the model-control
 * topic that every replica follows ({@link #follow}, {@link #decide}), not here.
 *
 * <p>A verdict matters while its version is retained or pinned, or not below the oldest of the newest {@code keep}
 * retained versions (the retention window: a version above it still to be read, or a diverged one refused within it;
 * any version while fewer than {@code keep} are retained). Any other verdict can never matter again (a snapshot not
 * above the highest seen is ignored, and the window only moves up), so it is dropped here and its key is
 * <i>released</i> ({@link #releasedVerdicts}): the promoter deletes it from the compacted topic with a tombstone, so
 * the topic, every replica's startup read and the verdicts held here stay bounded by the retained versions.
 */
public final class ModelRegistry {
    /** Most verdicts kept of versions not retained (e.g. read before their snapshots), the newest first. */
    static final int KEPT_VERDICTS = 1000;
    /** Most released verdict keys awaiting their tombstone; one left out is released again by a later start. */
    static final int KEPT_RELEASED = 1000;

    /** What {@link #offer} did with a snapshot. */
    public enum Offer { SWAPPED, RETAINED_WHILE_PINNED, IGNORED_NOT_NEWER, CANDIDATE }

    /**
     * An immutable view: the live model, the pinned version (or null), the retained versions (oldest first),
     * the verdicts in force by version, the baseline (the version a rollback would serve, or null) and the
     * candidates (versions above the live one waiting for a verdict, oldest first).
     */
    public record State(LoadedModel live, Long pinned, List<LoadedModel> retained, long highestSeen, Policy policy,
                        Map<Long, VersionVerdict> verdicts, LoadedModel baseline, List<LoadedModel> candidates) {
        /** Whether a version is pinned but not serving here (its snapshot has not been read yet). */
        public boolean pinPending() {
            return pinned != null && (live == null || live.version() != pinned);
        }

        /** The verdict in force on {@code version}, or null. */
        public VersionVerdict verdict(long version) {
            return verdicts.get(version);
        }
    }

    private final int keep;
    private final Policy policy;
    private final Consumer<LoadedModel> onSwap;
    private final AtomicReference<State> state;
    private final CountDownLatch firstModel = new CountDownLatch(1);
    /** Versions whose verdict can no longer matter and whose key is still on the topic as far as this replica knows. */
    private final TreeSet<Long> released = new TreeSet<>();

    /** A registry under {@code latest}: every newer snapshot serves at once (unless pinned or rolled back). */
    public ModelRegistry(int keep, Consumer<LoadedModel> onSwap) {
        this(keep, Policy.LATEST, onSwap);
    }

    /**
     * @param keep   versions to retain, at least 1
     * @param policy which versions may serve ({@link ServingRule})
     * @param onSwap called (under the registry's lock) whenever the live model changes
     */
    public ModelRegistry(int keep, Policy policy, Consumer<LoadedModel> onSwap) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep-versions must be at least 1, got " + keep);
        }
        this.keep = keep;
        this.policy = policy;
        this.onSwap = onSwap;
        this.state = new AtomicReference<>(new State(null, null, List.of(), 0, policy, Map.of(), null, List.of()));
    }

    /** The model that scores new requests, or null before the first version that may serve. */
    public LoadedModel live() {
        return state.get().live();
    }

    public State state() {
        return state.get();
    }

    public Policy policy() {
        return policy;
    }

    /** Waits up to {@code timeout} for a first model; returns it, or null when there is none yet. */
    public LoadedModel awaitLive(Duration timeout) throws InterruptedException {
        firstModel.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return live();
    }

    public synchronized Offer offer(LoadedModel model) {
        State s = state.get();
        if (model.version() <= s.highestSeen()) {
            return Offer.IGNORED_NOT_NEWER;
        }
        TreeMap<Long, LoadedModel> retained = byVersion(s.retained());
        retained.put(model.version(), model);
        State next = publish(retained, s.pinned(), model.version(), new TreeMap<>(s.verdicts()), s.live());
        if (next.live() == model) {
            return Offer.SWAPPED;
        }
        return s.pinned() != null ? Offer.RETAINED_WHILE_PINNED : Offer.CANDIDATE;
    }

    /**
     * Follows a serving decision (from the model-control topic): {@code pinned} is the version to
     * serve whatever newer snapshots arrive, or null to follow the policy again. A pinned version
     * that is not retained here is remembered and goes live when its snapshot arrives.
     */
    public synchronized State follow(Long pinned) {
        State s = state.get();
        return publish(byVersion(s.retained()), pinned, s.highestSeen(), new TreeMap<>(s.verdicts()), s.live());
    }

    /**
     * Applies a verdict read from the model-control topic. A verdict made before the one in force on the same
     * version is a replay and is ignored (false).
     */
    public synchronized boolean decide(long version, VersionVerdict verdict) {
        State s = state.get();
        VersionVerdict inForce = s.verdicts().get(version);
        if (inForce != null && verdict.decidedAt().isBefore(inForce.decidedAt())) {
            return false;
        }
        TreeMap<Long, VersionVerdict> verdicts = new TreeMap<>(s.verdicts());
        verdicts.put(version, verdict);
        publish(byVersion(s.retained()), s.pinned(), s.highestSeen(), verdicts, s.live());
        return true;
    }

    /**
     * Applies a verdict key's tombstone read from the model-control topic: the verdict is forgotten unless its
     * version is retained or pinned here (a tombstone is not signed, and a replica that has not read the snapshots
     * that made another release it keeps the verdict until it releases it itself); the key is released no more.
     *
     * @return whether a verdict was forgotten
     */
    public synchronized boolean deleted(long version) {
        released.remove(version);
        State s = state.get();
        if (!s.verdicts().containsKey(version) || byVersion(s.retained()).containsKey(version)
                || Long.valueOf(version).equals(s.pinned())) {
            return false;
        }
        TreeMap<Long, VersionVerdict> verdicts = new TreeMap<>(s.verdicts());
        verdicts.remove(version);
        publish(byVersion(s.retained()), s.pinned(), s.highestSeen(), verdicts, s.live());
        return true;
    }

    /** The versions whose verdict key can be deleted from the topic (released, no tombstone read back yet), oldest first. */
    public synchronized List<Long> releasedVerdicts() {
        return List.copyOf(released);
    }

    /** Whether a verdict on {@code version} can no longer matter here (see the class comment). */
    public boolean releases(long version) {
        State s = state.get();
        TreeMap<Long, LoadedModel> retained = byVersion(s.retained());
        return !matters(version, retained, s.pinned(), windowFloor(retained));
    }

    /**
     * Checks that {@code version} can be pinned here.
     *
     * @throws IllegalArgumentException when that version is not retained
     */
    public void requireRetained(long version) {
        State s = state.get();
        if (!byVersion(s.retained()).containsKey(version)) {
            throw new IllegalArgumentException("version " + version + " is not retained; retained: " + versions(s));
        }
    }

    /**
     * The version an admin's rollback pins: the newest retained version older than the live one.
     *
     * @throws IllegalStateException when there is no older version to go back to
     */
    public long rollbackTarget() {
        State s = state.get();
        if (s.live() == null) {
            throw new IllegalStateException("no model is loaded yet");
        }
        var older = byVersion(s.retained()).lowerEntry(s.live().version());
        if (older == null) {
            throw new IllegalStateException("no retained version older than " + s.live().version()
                    + "; retained: " + versions(s));
        }
        return older.getKey();
    }

    private State publish(TreeMap<Long, LoadedModel> all, Long pinned, long highestSeen,
                          TreeMap<Long, VersionVerdict> verdicts, LoadedModel previousLive) {
        LoadedModel live = ServingRule.live(policy, pinned, all, verdicts);
        if (live == null && pinned != null && previousLive != null && all.containsKey(previousLive.version())) {
            // a pin whose snapshot has not arrived yet: keep serving what served rather than nothing
            live = previousLive;
        }
        LoadedModel baseline = pinned == null ? ServingRule.baseline(policy, live, all, verdicts) : null;
        TreeMap<Long, LoadedModel> retained = trim(all, pinned, live, baseline);
        State next = new State(live, pinned, List.copyOf(retained.values()), highestSeen, policy,
                Collections.unmodifiableMap(trimVerdicts(verdicts, retained, pinned)), baseline,
                List.copyOf(ServingRule.candidates(policy, live, retained, verdicts)));
        state.set(next);
        if (next.live() != null && next.live() != previousLive) {
            firstModel.countDown();
            onSwap.accept(next.live());
        }
        return next;
    }

    private TreeMap<Long, LoadedModel> trim(TreeMap<Long, LoadedModel> all, Long pinned, LoadedModel live,
                                            LoadedModel baseline) {
        TreeMap<Long, LoadedModel> out = new TreeMap<>();
        int kept = 0;
        for (LoadedModel m : all.descendingMap().values()) {
            long v = m.version();
            if (kept < keep) {
                out.put(v, m);
                kept++;
            } else if ((pinned != null && v == pinned) || m == live || m == baseline) {
                out.put(v, m);
            }
        }
        return out;
    }

    /**
     * The verdicts that matter (of versions not retained, the newest {@link #KEPT_VERDICTS}); the others' versions are
     * released (bounded memory here, a bounded topic through their tombstones).
     */
    private TreeMap<Long, VersionVerdict> trimVerdicts(TreeMap<Long, VersionVerdict> verdicts,
                                                       TreeMap<Long, LoadedModel> retained, Long pinned) {
        long floor = windowFloor(retained);
        TreeMap<Long, VersionVerdict> out = new TreeMap<>();
        int notRetained = 0;
        for (var e : verdicts.descendingMap().entrySet()) {
            long v = e.getKey();
            if (retained.containsKey(v) || Long.valueOf(v).equals(pinned)) {
                out.put(v, e.getValue());
            } else if (matters(v, retained, pinned, floor)) {
                if (notRetained++ < KEPT_VERDICTS) {
                    out.put(v, e.getValue());
                }
            } else {
                released.add(v);
            }
        }
        while (released.size() > KEPT_RELEASED) {
            released.pollFirst();
        }
        return out;
    }

    private static boolean matters(long version, NavigableMap<Long, LoadedModel> retained, Long pinned, long floor) {
        return version >= floor || retained.containsKey(version) || Long.valueOf(version).equals(pinned);
    }

    /** The oldest of the newest {@code keep} retained versions, or 0 while fewer are retained. */
    private long windowFloor(NavigableMap<Long, LoadedModel> retained) {
        if (retained.size() < keep) {
            return 0;
        }
        int n = 0;
        for (long v : retained.descendingKeySet()) {
            if (++n == keep) {
                return v;
            }
        }
        return 0;
    }

    private static TreeMap<Long, LoadedModel> byVersion(List<LoadedModel> models) {
        TreeMap<Long, LoadedModel> map = new TreeMap<>();
        for (LoadedModel m : models) {
            map.put(m.version(), m);
        }
        return map;
    }

    private static List<Long> versions(State s) {
        return new ArrayList<>(s.retained().stream().map(LoadedModel::version).toList());
    }
}
