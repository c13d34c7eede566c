package dev.fmnist.trainer.service;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a run publishes a snapshot between epochs' ends, the one rule for the epoch loop and
 * continuous mode (the end of every epoch always publishes one):
 * <ul>
 *   <li>after a step, when steps were taken since the last snapshot and either
 *       {@code snapshotEverySteps} (if set) were taken or the interval has passed since the last
 *       snapshot (epochs: {@code snapshotInterval}, zero = off; continuous mode:
 *       {@code continuousSnapshotInterval}, always on);</li>
 *   <li>on stop, in continuous mode only, when steps were taken since the last snapshot (a stopped
 *       epoch publishes nothing: the next start replays it).</li>
 * </ul>
 * Not thread-safe: the training thread owns it.
 */
final class SnapshotPolicy {
    /** Where in a run the question is asked. */
    enum Moment { STEP, STOP }

    private final boolean continuous;
    private final int everySteps;
    /** Negative = no time-based snapshots. */
    private final long intervalNanos;
    private final LongSupplier clock;
    private long sinceSnapshot;
    private long lastSnapshot;

    private SnapshotPolicy(boolean continuous, int everySteps, long intervalNanos, LongSupplier clock) {
        this.continuous = continuous;
        this.everySteps = everySteps;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.lastSnapshot = clock.getAsLong();
    }

    /** The epoch loop's policy: {@code snapshotEverySteps}, {@code snapshotInterval} (zero = off), every epoch end. */
    static SnapshotPolicy duringEpochs(TrainingSettings settings, LongSupplier clock) {
        Duration interval = settings.snapshotInterval();
        return new SnapshotPolicy(false, settings.snapshotEverySteps(), interval.isZero() ? -1 : interval.toNanos(),
                clock);
    }

    /** Continuous mode's policy: {@code snapshotEverySteps}, {@code continuousSnapshotInterval}, and on stop. */
    static SnapshotPolicy continuous(TrainingSettings settings, LongSupplier clock) {
        return new SnapshotPolicy(true, settings.snapshotEverySteps(), settings.continuousSnapshotInterval().toNanos(),
                clock);
    }

    /** Counts one SGD step. */
    void stepped() {
        sinceSnapshot++;
    }

    /** Steps taken since the last snapshot (or restart). */
    long stepsSinceSnapshot() {
        return sinceSnapshot;
    }

    /** Starts the count and the interval anew: after a snapshot, and when an epoch begins. */
    void restart() {
        sinceSnapshot = 0;
        lastSnapshot = clock.getAsLong();
    }

    boolean due(Moment moment) {
        return switch (moment) {
            case STOP -> continuous && sinceSnapshot > 0;
            case STEP -> sinceSnapshot > 0
                    && ((everySteps > 0 && sinceSnapshot >= everySteps)
                        || (intervalNanos >= 0 && clock.getAsLong() - lastSnapshot >= intervalNanos));
        };
    }
}
