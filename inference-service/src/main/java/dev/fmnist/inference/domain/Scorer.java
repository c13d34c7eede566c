package dev.fmnist.inference.domain;

import dev.fmnist.contracts.FashionMnist;

/**
 * The plain-Java scoring path for single images: logits = x W + b with x = pixel / 255, then a
 * numerically stable softmax. A few microseconds per image and no allocation besides the result,
 * so it runs on the caller's thread (the HTTP event loop included).
 */
public final class Scorer {
    private static final int CLASSES = FashionMnist.CLASSES;

    private Scorer() {
    }

    /** Scores 784 unsigned bytes (row-major 28x28) read from {@code pixels[offset...]}. */
    public static float[] score(LoadedModel model, byte[] pixels, int offset) {
        float[] w = model.scaledWeights();
        float[] b = model.bias();
        float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], a4 = b[4];
        float a5 = b[5], a6 = b[6], a7 = b[7], a8 = b[8], a9 = b[9];
        for (int i = 0; i < FashionMnist.PIXELS; i++) {
            int p = pixels[offset + i] & 0xFF;
            if (p == 0) {
                continue; // about half of a Fashion-MNIST image is background
            }
            float x = p;
            int r = i * CLASSES;
            a0 += w[r] * x;
            a1 += w[r + 1] * x;
            a2 += w[r + 2] * x;
            a3 += w[r + 3] * x;
            a4 += w[r + 4] * x;
            a5 += w[r + 5] * x;
            a6 += w[r + 6] * x;
            a7 += w[r + 7] * x;
            a8 += w[r + 8] * x;
            a9 += w[r + 9] * x;
        }
        return softmax(new float[] {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9});
    }

    /**
     * Scores 784 pixel values on the 0-255 scale given as floats (the Open Inference Protocol's FP32
     * input times 255) read from {@code pixels[offset...]}; for integral values the result is the
     * byte path's exactly.
     */
    public static float[] score(LoadedModel model, float[] pixels, int offset) {
        float[] w = model.scaledWeights();
        float[] b = model.bias();
        float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], a4 = b[4];
        float a5 = b[5], a6 = b[6], a7 = b[7], a8 = b[8], a9 = b[9];
        for (int i = 0; i < FashionMnist.PIXELS; i++) {
            float x = pixels[offset + i];
            if (x == 0) {
                continue;
            }
            int r = i * CLASSES;
            a0 += w[r] * x;
            a1 += w[r + 1] * x;
            a2 += w[r + 2] * x;
            a3 += w[r + 3] * x;
            a4 += w[r + 4] * x;
            a5 += w[r + 5] * x;
            a6 += w[r + 6] * x;
            a7 += w[r + 7] * x;
            a8 += w[r + 8] * x;
            a9 += w[r + 9] * x;
        }
        return softmax(new float[] {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9});
    }

    public static float[] score(LoadedModel model, byte[] pixels) {
        return score(model, pixels, 0);
    }

    /** Softmax in place, shifted by the maximum so no exp overflows. */
    static float[] softmax(float[] logits) {
        float max = logits[0];
        for (int j = 1; j < logits.length; j++) {
            max = Math.max(max, logits[j]);
        }
        double sum = 0;
        for (int j = 0; j < logits.length; j++) {
            double e = Math.exp((double) logits[j] - max);
            logits[j] = (float) e;
            sum += e;
        }
        for (int j = 0; j < logits.length; j++) {
            logits[j] = (float) (logits[j] / sum);
        }
        return logits;
    }

    /** Index of the largest probability (the first one on a tie). */
    public static int argmax(float[] probabilities) {
        int best = 0;
        for (int j = 1; j < probabilities.length; j++) {
            if (probabilities[j] > probabilities[best]) {
                best = j;
            }
        }
        return best;
    }
}
