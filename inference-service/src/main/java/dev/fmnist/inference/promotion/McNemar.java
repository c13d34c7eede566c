package dev.fmnist.inference.promotion;

/**
 * McNemar's exact test, one-sided, on paired labelled requests scored by two versions: only the discordant
 * pairs count, {@code b} where the baseline was right and the live version wrong, {@code c} the other way.
 * Under "the live version is as good as the baseline" each discordant pair is either way with probability
 * 1/2, so the p-value that the live one is worse is P(X >= b) for X ~ Binomial(b + c, 1/2). Exact (no
 * normal approximation), so it holds for the few discordant pairs of the first looks. Pure.
 *
 * <p>Chosen over ADWIN because the question is paired ("is the new version worse than the old one on the
 * same requests?"), which cancels the difficulty of the requests that ADWIN, watching one stream's mean,
 * would take for a change; and because its confidence is exact for a bounded number of looks (Bonferroni).
 */
public final class McNemar {
    private McNemar() {
    }

    /** P(X >= b), X ~ Binomial(b + c, 1/2): small when the baseline wins many more discordant pairs. */
    public static double pWorse(long b, long c) {
        long n = b + c;
        if (n == 0 || b == 0) {
            return 1.0;
        }
        // sum over k = b..n of C(n, k) / 2^n, in logs (n can be thousands)
        double logHalfN = n * Math.log(0.5);
        double sum = 0;
        double logC = logChoose(n, b);
        for (long k = b; k <= n; k++) {
            sum += Math.exp(logC + logHalfN);
            logC += Math.log((double) (n - k)) - Math.log((double) (k + 1));
        }
        return Math.min(1.0, sum);
    }

    private static double logChoose(long n, long k) {
        double r = 0;
        for (long i = 1; i <= k; i++) {
            r += Math.log((double) (n - k + i)) - Math.log((double) i);
        }
        return r;
    }

    /**
     * Whether the live version is significantly worse: p below the per-look level {@code (1 - confidence) /
     * looks}, the Bonferroni share of one of the {@code looks} a window makes.
     */
    public static boolean worse(long b, long c, double confidence, int looks) {
        return pWorse(b, c) < (1 - confidence) / Math.max(1, looks);
    }
}
