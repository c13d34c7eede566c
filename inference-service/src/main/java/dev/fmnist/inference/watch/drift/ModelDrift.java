package dev.fmnist.inference.watch.drift;

import dev.fmnist.contracts.Alert;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The two drift detectors of one served model on this replica, over one {@link SlidingWindow}: input drift
 * (the PSI of each {@link ImageFeature} against the training split, the largest one compared with the
 * threshold) and prediction drift (the PSI of the answered classes against the test split's class mix).
 * The request thread measures the image and adds it to the window; every {@code evaluate-every} requests
 * (once the window is full) the thread that added the last one recomputes the PSIs, a few dozen logarithms.
 * Each detector raises one alert when its episode starts ({@link Episode}), none while it lasts, and none
 * for an episode starting within the cooldown of its last alert.
 *
 * <p>When the model's drift is over (neither detector in an episode) one clearing alert ({@link Alert#CLEARED}
 * = 1) ends what the start alerts reported, so a reader (the console's banner) shows drift exactly as long as
 * it lasts, however long that is. The clearing waits until the cooldown of the last start alert has passed: an
 * episode starting again within it raises no alert, so the earlier one must still be standing for it; past the
 * cooldown a new episode alerts again. So "a drift alert is standing" is true whenever an episode lasts, and
 * drift flapping within the cooldown is one start and one clearing. The clearing goes with the first
 * evaluation that finds the drift over past the cooldown (evaluations follow requests: no traffic, no change).
 */
final class ModelDrift {
    private static final Logger LOG = Logger.getLogger(ModelDrift.class);
    /** The answered class is packed after the features. */
    static final int PREDICTIONS = ImageFeature.values().length;
    /** The {@code feature} tag and figure suffix of prediction drift. */
    static final String PREDICTIONS_TAG = "predictions";

    private final String model;
    private final SlidingWindow window;
    private final DriftReference.Binned[] features;
    private final double[][] expected;
    private final int evaluateEvery;
    private final Episode input;
    private final Episode prediction;
    private final Duration cooldown;
    private final Clock clock;
    private final DriftAlarm alarm;
    /** The last evaluation's PSI per slot (features, then predictions); NaN before the first. Replaced, never changed. */
    private volatile double[] psi;
    private volatile boolean active;
    private Instant lastInputAlert;
    private Instant lastPredictionAlert;
    /** A start alert stands (raised, not yet cleared); guarded by this. */
    private boolean announced;

    ModelDrift(String model, DriftReference reference, DriftConfig config, DriftAlarm alarm, Clock clock) {
        this.model = model;
        this.window = new SlidingWindow(config.window(), PREDICTIONS + 1);
        this.features = new DriftReference.Binned[PREDICTIONS];
        this.expected = new double[PREDICTIONS + 1][];
        for (ImageFeature f : ImageFeature.values()) {
            features[f.ordinal()] = reference.feature(f);
            expected[f.ordinal()] = Psi.proportions(reference.feature(f).counts());
        }
        expected[PREDICTIONS] = Psi.proportions(reference.predictions().counts());
        this.evaluateEvery = config.evaluateEvery();
        this.input = new Episode(config.inputThreshold(), config.inputClear());
        this.prediction = new Episode(config.predictionThreshold(), config.predictionClear());
        this.cooldown = config.cooldown();
        this.clock = clock;
        this.alarm = alarm;
        double[] none = new double[PREDICTIONS + 1];
        java.util.Arrays.fill(none, Double.NaN);
        this.psi = none;
    }

    /** One scored image: measured, binned, added to the window; evaluated when its turn comes. */
    void observe(long version, byte[] pixels, int offset, int predicted) {
        double[] values = ImageFeature.measure(pixels, offset);
        int packed = 0;
        for (int f = 0; f < PREDICTIONS; f++) {
            packed = SlidingWindow.pack(packed, f, features[f].bin(values[f]));
        }
        packed = SlidingWindow.pack(packed, PREDICTIONS, predicted);
        long seen = window.add(packed);
        if (seen >= window.size() && seen % evaluateEvery == 0) {
            evaluate(version);
        }
    }

    /** PSI of each slot now: the features by ordinal, then the predictions. */
    synchronized void evaluate(long version) {
        int[] counts = window.counts();
        int n = window.filled();
        double[] now = new double[PREDICTIONS + 1];
        for (int s = 0; s <= PREDICTIONS; s++) {
            now[s] = Psi.of(counts, s << SlidingWindow.BITS, n, expected[s]);
        }
        psi = now;
        double worstInput = 0;
        for (int f = 0; f < PREDICTIONS; f++) {
            worstInput = Math.max(worstInput, now[f]);
        }
        Instant at = clock.instant();
        switch (input.update(worstInput)) {
            case STARTED -> lastInputAlert = alertUnlessCooling("input", lastInputAlert, at, version,
                    inputReason(now, n), now, n);
            case ENDED -> LOG.infof("input drift of %s ended: largest feature PSI %.3f below %s", model, worstInput,
                    input.clear());
            default -> { }
        }
        switch (prediction.update(now[PREDICTIONS])) {
            case STARTED -> lastPredictionAlert = alertUnlessCooling("prediction", lastPredictionAlert, at, version,
                    String.format(Locale.ROOT, "prediction drift: the classes answered by %s in its last %d requests"
                            + " have a PSI of %.3f against the test split's class mix (threshold %s)", model, n,
                            now[PREDICTIONS], prediction.threshold()), now, n);
            case ENDED -> LOG.infof("prediction drift of %s ended: PSI %.3f below %s", model, now[PREDICTIONS],
                    prediction.clear());
            default -> { }
        }
        boolean drifting = input.active() || prediction.active();
        if (announced && !drifting && !at.isBefore(latest(lastInputAlert, lastPredictionAlert).plus(cooldown))) {
            announced = false;
            Map<String, Double> figures = figures(now, n);
            figures.put(Alert.CLEARED, 1.0);
            String reason = String.format(Locale.ROOT, "drift of %s is over: in its last %d requests the largest"
                    + " feature PSI is %.3f (clear below %s) and the class mix PSI %.3f (clear below %s)", model, n,
                    worstInput, input.clear(), now[PREDICTIONS], prediction.clear());
            LOG.infof("%s", reason);
            alarm.raise(model, version, reason, figures);
        }
        active = drifting;
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static Map<String, Double> figures(double[] now, int n) {
        Map<String, Double> figures = new LinkedHashMap<>();
        for (ImageFeature f : ImageFeature.values()) {
            figures.put("psi." + f.tag(), now[f.ordinal()]);
        }
        figures.put("psi." + PREDICTIONS_TAG, now[PREDICTIONS]);
        figures.put("window", (double) n);
        return figures;
    }

    private String inputReason(double[] now, int n) {
        List<String> over = new ArrayList<>();
        for (ImageFeature f : ImageFeature.values()) {
            if (now[f.ordinal()] >= input.threshold()) {
                over.add(String.format(Locale.ROOT, "%s %.3f", f.tag(), now[f.ordinal()]));
            }
        }
        return String.format(Locale.ROOT, "input drift: the last %d images sent to %s do not look like the training"
                + " data (PSI of %s, threshold %s); dark-on-light photos sent without invert=true look like this",
                n, model, String.join(", ", over), input.threshold());
    }

    /** Raises the alert of a started episode, unless this detector alerted within the cooldown; returns its time. */
    private Instant alertUnlessCooling(String detector, Instant last, Instant at, long version, String reason,
                                       double[] now, int n) {
        if (last != null && at.isBefore(last.plus(cooldown))) {
            LOG.infof("%s drift of %s again within the cooldown of %s (no second alert): %s", detector, model,
                    cooldown, reason);
            return last;
        }
        Map<String, Double> figures = figures(now, n);
        figures.put("threshold", detector.equals("input") ? input.threshold() : prediction.threshold());
        alarm.raise(model, version, reason, figures);
        announced = true;
        return at;
    }

    String model() {
        return model;
    }

    /** The last PSI of a slot ({@link ImageFeature#ordinal()}, or {@link #PREDICTIONS}); NaN before the first evaluation. */
    double psi(int slot) {
        return psi[slot];
    }

    boolean active() {
        return active;
    }

    boolean inputActive() {
        synchronized (this) {
            return input.active();
        }
    }

    boolean predictionActive() {
        synchronized (this) {
            return prediction.active();
        }
    }

    int windowSize() {
        return window.size();
    }

    int filled() {
        return window.filled();
    }
}
