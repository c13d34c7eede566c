package dev.fmnist.inference.promotion;

import java.util.Locale;

/**
 * The shadow gate: on the labelled requests a candidate was shadow-scored on (each answered by the live
 * version, so both sides are scored on the same images: paired), once there are {@code minLabelled} of them,
 * the candidate passes when its accuracy on them is at least the live version's minus {@code tolerance}
 * (the offline gate's tolerance), and is refused otherwise. Before that it waits. Pure.
 */
public final class ShadowGate {
    private ShadowGate() {
    }

    public enum Outcome { WAIT, PASS, FAIL }

    /** The answer and a sentence saying why. */
    public record Result(Outcome outcome, String reason) {
    }

    /**
     * @param labelled        paired labelled requests
     * @param candidateCorrect of them, those the candidate classified right
     * @param liveCorrect     of them, those the live version answered right
     */
    public static Result decide(long labelled, long candidateCorrect, long liveCorrect, int minLabelled,
                                double tolerance) {
        if (labelled < minLabelled) {
            return new Result(Outcome.WAIT, labelled + " of " + minLabelled + " labelled requests shadowed");
        }
        double candidate = (double) candidateCorrect / labelled;
        double live = (double) liveCorrect / labelled;
        boolean pass = candidate >= live - tolerance;
        return new Result(pass ? Outcome.PASS : Outcome.FAIL, String.format(Locale.ROOT,
                "online accuracy %.4f on %d labelled requests shadowed, %s the live version's %.4f on the same "
                        + "requests minus the tolerance %.4f", candidate, labelled, pass ? "at least" : "below", live,
                tolerance));
    }
}
