package dev.fmnist.inference.watch.shadow;

import dev.fmnist.contracts.FashionMnist;

/**
 * The comparison of one shadow-scored version with the live version on the same requests, for one pair of
 * versions (a new pair starts from zero). Written by the shadow thread, read by gauges, REST and the promoter:
 * synchronized, and read as an immutable {@link View}.
 */
final class PairedStats {
    private long shadowVersion;
    private long liveVersion;
    private long requests;
    private long agreed;
    private long labelled;
    private long shadowCorrect;
    private long liveCorrect;
    /** Labelled requests the shadowed version got right and the live one wrong, and the other way round. */
    private long onlyShadowRight;
    private long onlyLiveRight;
    private final long[] classes = new long[FashionMnist.CLASSES];

    /** One request, answered {@code livePredicted} by {@code liveVersion}, scored {@code shadowPredicted}. */
    synchronized void record(long shadowVersion, long liveVersion, int livePredicted, int shadowPredicted, int label) {
        if (shadowVersion != this.shadowVersion || liveVersion != this.liveVersion) {
            reset(shadowVersion, liveVersion);
        }
        requests++;
        if (livePredicted == shadowPredicted) {
            agreed++;
        }
        classes[shadowPredicted]++;
        if (label >= 0) {
            labelled++;
            boolean s = shadowPredicted == label;
            boolean l = livePredicted == label;
            shadowCorrect += s ? 1 : 0;
            liveCorrect += l ? 1 : 0;
            onlyShadowRight += s && !l ? 1 : 0;
            onlyLiveRight += l && !s ? 1 : 0;
        }
    }

    private void reset(long shadowVersion, long liveVersion) {
        this.shadowVersion = shadowVersion;
        this.liveVersion = liveVersion;
        requests = agreed = labelled = shadowCorrect = liveCorrect = onlyShadowRight = onlyLiveRight = 0;
        java.util.Arrays.fill(classes, 0);
    }

    /** The figures of {@code shadowVersion} against {@code liveVersion}; all zero when another pair was scored. */
    synchronized View view(long shadowVersion, long liveVersion) {
        if (shadowVersion != this.shadowVersion || liveVersion != this.liveVersion) {
            return new View(shadowVersion, liveVersion, 0, 0, 0, 0, 0, 0, 0, new long[FashionMnist.CLASSES]);
        }
        return new View(shadowVersion, liveVersion, requests, agreed, labelled, shadowCorrect, liveCorrect,
                onlyShadowRight, onlyLiveRight, classes.clone());
    }

    /** Immutable figures of one pair of versions. */
    public record View(long shadowVersion, long liveVersion, long requests, long agreed, long labelled,
                       long shadowCorrect, long liveCorrect, long onlyShadowRight, long onlyLiveRight, long[] classes) {
        /** Share of requests where both versions gave the same class (NaN before any). */
        public double agreement() {
            return requests == 0 ? Double.NaN : (double) agreed / requests;
        }

        /** The shadowed version's accuracy on the paired labelled requests (NaN before any). */
        public double accuracy() {
            return labelled == 0 ? Double.NaN : (double) shadowCorrect / labelled;
        }

        /** The live version's accuracy on the same requests (NaN before any). */
        public double liveAccuracy() {
            return labelled == 0 ? Double.NaN : (double) liveCorrect / labelled;
        }
    }
}
