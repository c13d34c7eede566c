package dev.fmnist.inference.domain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.fmnist.contracts.FashionMnist;

/**
 * The DJL scoring path for batches: one (n x 784) @ (784 x 10) matmul and a softmax per batch.
 * Every call opens its own {@link NDManager} and closes it, so native memory never outlives the
 * call and nothing is shared between threads (no {@code Predictor} at all: the model is two
 * tensors, built from the immutable {@link LoadedModel} inside the call).
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
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = pixels[i] & 0xFF;
        }
        float[] flat;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray input = manager.create(x, new Shape(n, FashionMnist.PIXELS)).divi(255f);
            NDArray w = manager.create(model.weights(), new Shape(FashionMnist.PIXELS, FashionMnist.CLASSES));
            NDArray b = manager.create(model.bias(), new Shape(1, FashionMnist.CLASSES));
            flat = input.matMul(w).addi(b).softmax(1).toFloatArray();
        }
        float[][] out = new float[n][];
        for (int r = 0; r < n; r++) {
            out[r] = new float[FashionMnist.CLASSES];
            System.arraycopy(flat, r * FashionMnist.CLASSES, out[r], 0, FashionMnist.CLASSES);
        }
        return out;
    }

    /** Loads the engine (extracting the natives on first use) so the first batch does not pay for it. */
    public static String warmUp() {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.ones(new Shape(1, FashionMnist.CLASSES)).softmax(1).toFloatArray();
            return manager.getEngine().getEngineName() + " " + manager.getEngine().getVersion();
        }
    }
}
