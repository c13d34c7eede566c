package dev.fmnist.inference.watch.drift;

/**
 * The population stability index of binned counts against a reference: the sum over bins of
 * {@code (a - e) * ln(a / e)}, a and e the observed and reference proportions. 0 for the same distribution,
 * growing with the difference; by the usual reading below 0.1 is stable, 0.1-0.25 a moderate shift, above
 * 0.25 a significant one. Both sides are smoothed (half an observation added to every bin) so an empty bin
 * gives a large finite term instead of an infinite one.
 */
final class Psi {
    /** Pseudo-count added to every bin of both sides. */
    static final double SMOOTHING = 0.5;

    private Psi() {
    }

    /** Smoothed proportions of reference counts. */
    static double[] proportions(long[] counts) {
        double total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] p = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            p[i] = (counts[i] + SMOOTHING) / (total + SMOOTHING * counts.length);
        }
        return p;
    }

    /** PSI of {@code expected.length} counts starting at {@code offset} of {@code counts}, which sum to {@code n}. */
    static double of(int[] counts, int offset, int n, double[] expected) {
        double total = n + SMOOTHING * expected.length;
        double psi = 0;
        for (int i = 0; i < expected.length; i++) {
            double a = (counts[offset + i] + SMOOTHING) / total;
            psi += (a - expected[i]) * Math.log(a / expected[i]);
        }
        return psi;
    }
}
