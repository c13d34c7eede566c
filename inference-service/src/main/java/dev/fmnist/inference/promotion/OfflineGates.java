package dev.fmnist.inference.promotion;

import dev.fmnist.inference.domain.LoadedModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The offline gates a candidate passes before it may serve, on what its snapshot carries (no traffic needed):
 * <ol>
 *   <li>every weight finite (the codec already refuses non-finite weights; kept here so the rule holds for any
 *   source of a network);</li>
 *   <li>a measured test accuracy (a mid-epoch snapshot has none: it cannot be judged, so it is refused);</li>
 *   <li>test accuracy at least the floor;</li>
 *   <li>test accuracy at least the live version's minus the tolerance (skipped when nothing is live, the first
 *   model of a name, or when the live version's test accuracy was not measured).</li>
 * </ol>
 * Pure: the same candidate and live version give the same answer on every replica.
 */
public final class OfflineGates {
    private OfflineGates() {
    }

    /** The answer: passed or not, the reason (for a refusal, the first rule failed) and the figures behind it. */
    public record Result(boolean passed, String reason, Map<String, Double> figures) {
    }

    public static Result check(LoadedModel candidate, LoadedModel live, double floor, double tolerance) {
        Map<String, Double> figures = new LinkedHashMap<>();
        double acc = candidate.metrics().testAccuracy();
        if (!Double.isNaN(acc)) {
            figures.put("testAccuracy", acc);
        }
        double liveAcc = live == null ? Double.NaN : live.metrics().testAccuracy();
        if (!Double.isNaN(liveAcc)) {
            figures.put("liveTestAccuracy", liveAcc);
        }
        figures.put("floor", floor);
        figures.put("tolerance", tolerance);
        String nonFinite = candidate.firstNonFiniteWeight();
        if (nonFinite != null) {
            return new Result(false, "non-finite weights (" + nonFinite + "): its training diverged", figures);
        }
        if (Double.isNaN(acc)) {
            return new Result(false, "no test accuracy measured (a mid-epoch snapshot, or a run without a test "
                    + "split): it cannot be judged; pin it to serve it anyway", figures);
        }
        if (acc < floor) {
            return new Result(false, String.format(Locale.ROOT, "test accuracy %.4f is below the floor %.4f", acc,
                    floor), figures);
        }
        if (!Double.isNaN(liveAcc) && acc < liveAcc - tolerance) {
            return new Result(false, String.format(Locale.ROOT, "test accuracy %.4f is below the live v%d's %.4f "
                    + "minus the tolerance %.4f", acc, live.version(), liveAcc, tolerance), figures);
        }
        String against = live == null ? "the first version of the model"
                : Double.isNaN(liveAcc) ? "the live v" + live.version() + " has no measured test accuracy"
                : String.format(Locale.ROOT, "live v%d has %.4f", live.version(), liveAcc);
        return new Result(true, String.format(Locale.ROOT, "test accuracy %.4f passes the floor %.4f (%s)", acc, floor,
                against), figures);
    }
}
