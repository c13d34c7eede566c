package dev.fmnist.inference.domain;

import dev.fmnist.contracts.FashionMnist;

/**
 * Batches scored with the same plain-Java arithmetic as single images ({@link Scorer}): a batch of
 * 1,000 images is 7.8 M multiply-adds, a few milliseconds, so a native engine (libtorch: hundreds of
 * MB of native memory per replica) buys nothing for a 784x10 model. A batch image and the same image
 * sent alone get exactly the same probabilities.
 */
public final class BatchScorer {
    private BatchScorer() {
    }

    /**
     * Scores {@code n} images given as consecutive 784-byte blocks of unsigned pixels.
     *
     * @return n rows of 10 probabilities
     */
    public static float[][] score(LoadedModel model, byte[] pixels, int n) {
        if (pixels.length != n * FashionMnist.PIXELS) {
            throw new IllegalArgumentException(pixels.length + " bytes for " + n + " images");
        }
        float[][] out = new float[n][];
        for (int r = 0; r < n; r++) {
            out[r] = Scorer.score(model, pixels, r * FashionMnist.PIXELS);
        }
        return out;
    }
}
