package dev.fmnist.inference.domain;

import dev.fmnist.contracts.FashionMnist;

/**
 * Batches scored image by image with the model's compiled forward pass ({@link Scorer}, the shared
 * {@code Forward} of every family), the same arithmetic as single images: a batch image and the same
 * image sent alone get exactly the same probabilities. A native engine (libtorch: hundreds of MB of
 * native memory per replica) would buy little at these sizes (the cnn is about 0.4 M multiply-adds an image).
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
