package dev.fmnist.inference.watch.drift;

/**
 * Hysteresis of one detector: an episode starts when the statistic reaches {@code threshold} and ends only
 * when it falls below {@code clear} (lower), so a statistic hovering around the threshold is one episode,
 * not an alert per evaluation. Not thread-safe: its owner serialises the updates.
 */
final class Episode {
    enum Change { STARTED, ENDED, NONE }

    private final double threshold;
    private final double clear;
    private boolean active;

    Episode(double threshold, double clear) {
        if (!(clear > 0) || !(threshold >= clear) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("need 0 < clear <= threshold (finite), not clear " + clear
                    + ", threshold " + threshold);
        }
        this.threshold = threshold;
        this.clear = clear;
    }

    Change update(double statistic) {
        if (!active && statistic >= threshold) {
            active = true;
            return Change.STARTED;
        }
        if (active && statistic < clear) {
            active = false;
            return Change.ENDED;
        }
        return Change.NONE;
    }

    boolean active() {
        return active;
    }

    double threshold() {
        return threshold;
    }

    double clear() {
        return clear;
    }
}
