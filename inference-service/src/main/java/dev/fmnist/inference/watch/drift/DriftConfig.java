package dev.fmnist.inference.watch.drift;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Drift watching of the request stream, per served model on this replica ({@code fmnist.inference.drift.*});
 * the README's drift section says how to tune it.
 */
@ConfigMapping(prefix = "fmnist.inference.drift")
public interface DriftConfig {
    /** Whether requests are watched for drift (off: nothing is measured, the gauges stay NaN and 0). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Requests per model in the sliding window the statistics are computed over (10 to 1,000,000; memory is
     * 4 bytes a request). Smaller reacts sooner and is noisier (a PSI's noise is about bins / window).
     */
    @WithDefault("1000")
    int window();

    /** The statistics are recomputed every this many requests of a model, once its window has filled. */
    @WithDefault("100")
    int evaluateEvery();

    /** Input drift starts when the PSI of any image feature against the training split reaches this. */
    @WithDefault("0.25")
    double inputThreshold();

    /** An input drift episode ends when the PSI of every feature is below this again (hysteresis). */
    @WithDefault("0.1")
    double inputClear();

    /** Prediction drift starts when the PSI of the answered class mix against the test split's reaches this. */
    @WithDefault("0.25")
    double predictionThreshold();

    /**
     * A prediction drift episode ends when that PSI is below this again. Higher than input's: a model's own
     * confusions already shift its class mix on test-like traffic (0.06-0.12 for a seed-like softmax).
     */
    @WithDefault("0.15")
    double predictionClear();

    /**
     * Least time between two alerts of the same detector and model: an episode starting sooner after the last
     * alert shows in the gauges and the log but raises no second alert.
     */
    @WithDefault("PT15M")
    Duration cooldown();
}
