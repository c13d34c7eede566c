package dev.fmnist.inference.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The live model and the last few versions, for pinning and rollback.
 *
 * <p>Readers call {@link #live()}: one volatile read, no lock, so a swap never stalls a request and
 * a request keeps the version it read for its whole scoring. Writers (the snapshot consumer, the
 * model-control follower) are serialised by this object's monitor and publish a new immutable
 * {@link State} at once.
 *
 * <p>Rules: a snapshot whose version is not above the highest version seen is ignored. A newer one
 * is retained and goes live unless the pinned version is live. Only the newest {@code keep} versions
 * are retained, plus the pinned one whatever its age. Pins are decided on the model-control topic
 * that every replica follows ({@link #follow}), not here.
 */
public final class ModelRegistry {
    /** What {@link #offer} did with a snapshot. */
    public enum Offer { SWAPPED, RETAINED_WHILE_PINNED, IGNORED_NOT_NEWER }

    /** An immutable view: the live model, the pinned version (or null), the retained versions. */
    public record State(LoadedModel live, Long pinned, List<LoadedModel> retained, long highestSeen) {
        /** Whether a version is pinned but not serving here (its snapshot has not been read yet). */
        public boolean pinPending() {
            return pinned != null && (live == null || live.version() != pinned);
        }
    }

    private final int keep;
    private final Consumer<LoadedModel> onSwap;
    private final AtomicReference<State> state = new AtomicReference<>(new State(null, null, List.of(), 0));
    private final CountDownLatch firstModel = new CountDownLatch(1);

    /**
     * @param keep   versions to retain, at least 1
     * @param onSwap called (under the registry's lock) whenever the live model changes
     */
    public ModelRegistry(int keep, Consumer<LoadedModel> onSwap) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep-versions must be at least 1, got " + keep);
        }
        this.keep = keep;
        this.onSwap = onSwap;
    }

    /** The model that scores new requests, or null before the first snapshot. */
    public LoadedModel live() {
        return state.get().live();
    }

    public State state() {
        return state.get();
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
        // a pin whose version is not here yet (a replica catching up) takes effect when it arrives;
        // until then the newest version serves, so the replica is not left without a model
        boolean holdLive = s.pinned() != null && s.live() != null && s.live().version() == s.pinned();
        LoadedModel live = holdLive ? s.live() : model;
        publish(new State(live, s.pinned(), trim(retained, s.pinned()), model.version()), s.live());
        return holdLive ? Offer.RETAINED_WHILE_PINNED : Offer.SWAPPED;
    }

    /**
     * Follows a serving decision (from the model-control topic): {@code pinned} is the version to
     * serve whatever newer snapshots arrive, or null to follow the newest again. A pinned version
     * that is not retained here is remembered and goes live when its snapshot arrives.
     */
    public synchronized State follow(Long pinned) {
        State s = state.get();
        TreeMap<Long, LoadedModel> retained = byVersion(s.retained());
        LoadedModel live;
        if (pinned == null) {
            live = retained.isEmpty() ? null : retained.lastEntry().getValue();
        } else {
            live = retained.getOrDefault(pinned, s.live());
        }
        publish(new State(live, pinned, trim(retained, pinned), s.highestSeen()), s.live());
        return state.get();
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
     * The version a rollback pins: the newest retained version older than the live one.
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

    private void publish(State next, LoadedModel previousLive) {
        state.set(next);
        if (next.live() != null && next.live() != previousLive) {
            firstModel.countDown();
            onSwap.accept(next.live());
        }
    }

    private List<LoadedModel> trim(TreeMap<Long, LoadedModel> retained, Long pinned) {
        List<LoadedModel> out = new ArrayList<>();
        int kept = 0;
        for (LoadedModel m : retained.descendingMap().values()) {
            if (kept < keep) {
                out.add(m);
                kept++;
            } else if (pinned != null && m.version() == pinned) {
                out.add(m);
            }
        }
        Collections.reverse(out);
        return List.copyOf(out);
    }

    private static TreeMap<Long, LoadedModel> byVersion(List<LoadedModel> models) {
        TreeMap<Long, LoadedModel> map = new TreeMap<>();
        for (LoadedModel m : models) {
            map.put(m.version(), m);
        }
        return map;
    }

    private static List<Long> versions(State s) {
        return s.retained().stream().map(LoadedModel::version).toList();
    }
}
