package dev.fmnist.inference.watch.drift;

import java.time.Duration;

/** A {@link DriftConfig} with chosen values; {@link #defaults()} are the documented defaults. */
record TestDriftConfig(boolean enabled, int window, int evaluateEvery, double inputThreshold, double inputClear,
                       double predictionThreshold, double predictionClear, Duration cooldown) implements DriftConfig {
    static TestDriftConfig defaults() {
        return new TestDriftConfig(true, 1000, 100, 0.25, 0.1, 0.25, 0.15, Duration.ofMinutes(15));
    }

    TestDriftConfig withWindow(int size, int every) {
        return new TestDriftConfig(enabled, size, every, inputThreshold, inputClear, predictionThreshold,
                predictionClear, cooldown);
    }
}
