package dev.fmnist.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * The seed's model: softmax regression {@code y_hat = softmax(X W + b)} trained with minibatch SGD
 * on the summed cross-entropy {@code -log y_hat[y]}, gradients from DJL autograd.
 *
 * <p>W and b live in this object's own {@link NDManager} (closed by {@link #close()}). They carry an
 * attached gradient for the forward pass under a {@link GradientCollector}; every other use (the
 * SGD update, zeroing, evaluation) goes through detached views that share their storage, so no
 * autograd graph is recorded and no in-place update touches a leaf that requires grad (PyTorch's
 * grad mode is per thread and on by default on non-engine threads).
 *
 * <p>Not thread-safe: one training thread owns an instance.
 */
public final class SoftmaxRegression implements AutoCloseable {
    /** Standard deviation of W's normal initialisation, as in d2l. */
    public static final float INIT_STD = 0.01f;

    private final int inputs;
    private final int outputs;
    private final NDManager manager;
    private final NDArray w;
    private final NDArray b;
    /** Detached views of W and b: same storage, no gradient tracking. */
    private final NDArray wData;
    private final NDArray bData;
    private boolean closed;

    private SoftmaxRegression(int inputs, int outputs, float[] weights, float[] bias) {
        if (inputs < 1 || outputs < 2) {
            throw new IllegalArgumentException("need at least 1 input and 2 classes, got " + inputs + "x" + outputs);
        }
        if (weights.length != inputs * outputs || bias.length != outputs) {
            throw new IllegalArgumentException("W must have " + inputs + "x" + outputs + " values and b " + outputs
                    + ", got " + weights.length + " and " + bias.length);
        }
        this.inputs = inputs;
        this.outputs = outputs;
        this.manager = NDManager.newBaseManager();
        this.w = manager.create(weights, new Shape(inputs, outputs));
        this.b = manager.create(bias, new Shape(outputs));
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        this.wData = w.stopGradient();
        this.bData = b.stopGradient();
    }

    /** W drawn from N(0, {@value #INIT_STD}^2) with the given seed, b = 0. */
    public static SoftmaxRegression initialize(int inputs, int outputs, long seed) {
        Random random = new Random(seed);
        float[] weights = new float[inputs * outputs];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (random.nextGaussian() * INIT_STD);
        }
        return new SoftmaxRegression(inputs, outputs, weights, new float[outputs]);
    }

    /** A model with the given parameters; W row-major {@code inputs x outputs}. Arrays are copied. */
    public static SoftmaxRegression of(int inputs, int outputs, float[] weights, float[] bias) {
        return new SoftmaxRegression(inputs, outputs, weights.clone(), bias.clone());
    }

    /**
     * DJL's documented setting for PyTorch's intra-op threads: the engine applies the system
     * property when it loads, so it must be set before the first model in this JVM.
     */
    static final String NUM_THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    /**
     * Loads the engine with the given number of PyTorch intra-op threads (process-wide); values below
     * 1 leave PyTorch's default (one per core). Only the first call in a JVM can choose: the engine
     * reads {@value #NUM_THREADS_PROPERTY} once, when it loads; a number given on the command line
     * wins.
     */
    public static void configureThreads(int intraOpThreads) {
        if (intraOpThreads > 0 && System.getProperty(NUM_THREADS_PROPERTY) == null) {
            System.setProperty(NUM_THREADS_PROPERTY, Integer.toString(intraOpThreads));
        }
        Engine.getInstance(); // loads the native library, applying the property
    }

    /** Pixels per image (the width of X). */
    public int inputs() {
        return inputs;
    }

    /** Result of one minibatch: the summed loss and how many predictions (before the update) were right. */
    public record StepResult(int count, double lossSum, int correct) {
    }

    /** Loss and autograd gradients at the current parameters, without updating them. */
    record Gradients(double lossSum, float[] gradW, float[] gradB) {
    }

    /**
     * One SGD step on a minibatch of uint8 pixels (row-major, {@code n x inputs}, in a direct buffer):
     * X = pixels / 255, then {@code p -= lr * grad / n}.
     */
    public StepResult stepPixels(ByteBuffer pixels, int[] labels, int n, float learningRate) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = pixelsToX(scope, pixels, n);
            return step(scope, x, labels, n, learningRate, true);
        }
    }

    /** One SGD step on real-valued inputs ({@code n x inputs}, row-major), labels 0..outputs-1. */
    StepResult step(float[] x, int[] labels, int n, float learningRate) {
        try (NDManager scope = manager.newSubManager()) {
            return step(scope, scope.create(x, new Shape(n, inputs)), labels, n, learningRate, true);
        }
    }

    /** Summed loss and the gradients of W and b at the current parameters; the parameters stay as they are. */
    Gradients gradients(float[] x, int[] labels, int n) {
        try (NDManager scope = manager.newSubManager()) {
            StepResult r = step(scope, scope.create(x, new Shape(n, inputs)), labels, n, 0f, false);
            try (NDArray gw = w.getGradient(); NDArray gb = b.getGradient()) {
                float[] gradW = gw.toFloatArray();
                float[] gradB = gb.toFloatArray();
                gw.subi(gw);
                gb.subi(gb);
                return new Gradients(r.lossSum(), gradW, gradB);
            }
        }
    }

    private StepResult step(NDManager scope, NDArray x, int[] labels, int n, float learningRate, boolean update) {
        checkOpen();
        if (labels.length < n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " samples");
        }
        // -1 at the label, 0 elsewhere: sum(logp * negOneHot) is the summed cross-entropy in one product.
        float[] negOneHot = new float[n * outputs];
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= outputs) {
                throw new IllegalArgumentException("label " + y + " of sample " + i + " is not in 0.." + (outputs - 1));
            }
            negOneHot[i * outputs + y] = -1f;
        }
        NDArray target = scope.create(negOneHot, new Shape(n, outputs));
        float[] logits;
        double lossSum;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray z = x.matMul(w).add(b);
            // log-softmax is log(softmax) computed as (z - max) - log(sum(exp(z - max))): stable, no overflow.
            NDArray loss = z.logSoftmax(1).mul(target).sum();
            collector.backward(loss);
            lossSum = loss.getFloat();
            logits = z.toFloatArray();
        }
        if (update) {
            applySgd(learningRate / n);
        }
        return new StepResult(n, lossSum, countCorrect(logits, labels, n));
    }

    /** p -= scale * grad, then grad = 0 (DJL gradients accumulate across backward passes). */
    private void applySgd(float scale) {
        try (NDArray gw = w.getGradient(); NDArray gb = b.getGradient()) {
            gw.muli(scale);
            wData.subi(gw);
            gw.subi(gw);
            gb.muli(scale);
            bData.subi(gb);
            gb.subi(gb);
        }
    }

    private int countCorrect(float[] logits, int[] labels, int n) {
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (argMax(logits, i * outputs, outputs) == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    private static int argMax(float[] values, int offset, int length) {
        int best = 0;
        for (int j = 1; j < length; j++) {
            if (values[offset + j] > values[offset + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Class probabilities softmax(X W + b) for real-valued inputs, row-major {@code n x outputs}. */
    float[] predictProbabilities(float[] x, int n) {
        checkOpen();
        try (NDManager scope = manager.newSubManager()) {
            NDArray z = scope.create(x, new Shape(n, inputs)).matMul(wData).add(bData);
            return softmax(z).toFloatArray();
        }
    }

    /**
     * Row-wise softmax of {@code n x k} logits, computed stably as exp(z - max) / sum(exp(z - max)):
     * the same function as exp(z) / sum(exp(z)), without overflow for large logits.
     */
    static float[] softmax(float[] logits, int n, int k) {
        try (NDManager scope = NDManager.newBaseManager()) {
            return softmax(scope.create(logits, new Shape(n, k))).toFloatArray();
        }
    }

    private static NDArray softmax(NDArray z) {
        NDArray shifted = z.sub(z.max(new int[] {1}, true));
        NDArray e = shifted.exp();
        return e.div(e.sum(new int[] {1}, true));
    }

    /**
     * Counts the correct predictions on a set of uint8 images (row-major {@code n x inputs}, direct
     * buffer) in chunks of at most {@code chunk} rows, one matmul per chunk.
     */
    public int countCorrectPixels(ByteBuffer pixels, byte[] labels, int n, int chunk) {
        checkOpen();
        int correct = 0;
        int rowBytes = inputs;
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            ByteBuffer slice = pixels.duplicate().position(start * rowBytes).limit((start + rows) * rowBytes).slice();
            try (NDManager scope = manager.newSubManager()) {
                NDArray z = pixelsToX(scope, slice, rows).matMul(wData).add(bData);
                long[] predicted = z.argMax(1).toLongArray();
                for (int i = 0; i < rows; i++) {
                    if (predicted[i] == Byte.toUnsignedInt(labels[start + i])) {
                        correct++;
                    }
                }
            }
        }
        return correct;
    }

    private NDArray pixelsToX(NDManager scope, ByteBuffer pixels, int n) {
        if (!pixels.isDirect()) {
            throw new IllegalArgumentException("pixels must be in a direct buffer");
        }
        if (pixels.remaining() < n * inputs) {
            throw new IllegalArgumentException(pixels.remaining() + " pixel bytes for " + n + " rows of " + inputs);
        }
        ByteBuffer rows = pixels.duplicate().limit(pixels.position() + n * inputs).slice();
        return scope.create(rows, new Shape(n, inputs), DataType.UINT8).toType(DataType.FLOAT32, false).divi(255f);
    }

    /** A copy of W, row-major {@code inputs x outputs}. */
    public float[] weights() {
        checkOpen();
        return wData.toFloatArray();
    }

    /** A copy of b. */
    public float[] bias() {
        checkOpen();
        return bData.toFloatArray();
    }

    /** A direct, native-order buffer of the given size, suitable for {@link #stepPixels}. */
    public static ByteBuffer directBuffer(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
