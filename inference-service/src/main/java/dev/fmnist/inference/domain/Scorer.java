package dev.fmnist.inference.domain;

import dev.fmnist.contracts.model.Forward;

/** Scores single images with a loaded model's compiled forward pass, on the caller's thread. */
public final class Scorer {
    private Scorer() {
    }

    /** Scores 784 unsigned bytes (row-major 28x28) read from {@code pixels[offset...]}. */
    public static float[] score(LoadedModel model, byte[] pixels, int offset) {
        return model.forward().probabilities(pixels, offset);
    }

    /**
     * Scores 784 pixel values on the 0-255 scale given as floats (the Open Inference Protocol's FP32
     * input times 255) read from {@code pixels[offset...]}; for integral values the result is the
     * byte path's exactly.
     */
    public static float[] score(LoadedModel model, float[] pixels, int offset) {
        return model.forward().probabilities(pixels, offset);
    }

    public static float[] score(LoadedModel model, byte[] pixels) {
        return score(model, pixels, 0);
    }

    /** Index of the largest probability (the first one on a tie). */
    public static int argmax(float[] probabilities) {
        return Forward.argmax(probabilities);
    }
}
