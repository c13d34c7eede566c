package dev.fmnist.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * The seed's model: softmax regression {@code y_hat = softmax(X W + b)} trained with minibatch SGD
 * on the summed cross-entropy {@code -log y_hat[y]}.
 *
 * <p>One step is a handful of native calls (DJL/PyTorch) for the two products that carry the work,
 * {@code Z = X W} and {@code X^T G}, and plain Java for the n x 10 rest: the bias, log-softmax,
 * loss, hits and the gradient with respect to the logits, {@code G = softmax(Z) - onehot(y)}. That
 * closed form is what autograd computes through log-softmax for the summed cross-entropy, so the
 * math (and the seed's figures) stay, without recording a graph or reading gradients back: W is
 * updated in place by the one product {@code W -= X^T (lr/n G)}, b in Java by the column sums.
 *
 * <p>W is held transposed, {@code outputs x inputs} (PyTorch's own layout for a linear layer), and both
 * products are taken in that orientation, {@code Z^T = W^T X^T} and {@code (X^T G)^T = G^T X}: for a
 * 256 x 784 minibatch they take a third to a fifth of the time of {@code X W} and {@code X^T G}
 * (whose long, thin operands the BLAS kernels handle poorly).
 *
 * <p>W lives in this object's own {@link NDManager} (closed by {@link #close()}); every step's
 * temporaries live in a sub-manager closed at the end of the step, or are closed where they are made
 * when DJL would attach them to W's manager.
 *
 * <p>Not thread-safe: one training thread owns an instance.
 */
public final class SoftmaxRegression implements TrainableModel {
    /** Standard deviation of W's normal initialisation, as in d2l. */
    public static final float INIT_STD = 0.01f;

    private final int inputs;
    private final int outputs;
    private final NDManager manager;
    /** W^T, {@code outputs x inputs}, native: the operand of both products of a step. */
    private final NDArray wt;
    /** b: added to and updated from n x outputs values that are in Java anyway. */
    private final float[] b;
    /** Reused for the n x outputs values a step hands to the engine. */
    private ByteBuffer transfer;
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
        this.wt = manager.create(transpose(weights, inputs, outputs), new Shape(outputs, inputs));
        this.b = bias;
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
    /** DJL's setting for PyTorch's inter-op threads, read at the same moment. */
    static final String NUM_INTEROP_THREADS_PROPERTY = "ai.djl.pytorch.num_interop_threads";

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
        if (System.getProperty(NUM_INTEROP_THREADS_PROPERTY) == null) {
            // the steps are sequential: libtorch's inter-op pool would only hold one idle thread per core
            System.setProperty(NUM_INTEROP_THREADS_PROPERTY, "1");
        }
        Engine.getInstance(); // loads the native library, applying the properties
    }

    /** Pixels per image (the width of X). */
    @Override
    public int inputs() {
        return inputs;
    }

    /** Loss and gradients at the current parameters, without updating them. */
    record Gradients(double lossSum, float[] gradW, float[] gradB) {
    }

    /**
     * One SGD step on a minibatch of uint8 pixels (row-major, {@code n x inputs}, in a direct buffer):
     * X = pixels / 255, then {@code p -= lr * grad / n}.
     */
    public StepResult stepPixels(ByteBuffer pixels, int[] labels, int n, float learningRate) {
        try (Minibatch batch = new Minibatch(Math.max(1, n), inputs)) {
            batch.fill(pixels, labels, n);
            return step(batch, learningRate);
        }
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.SOFTMAX;
    }

    /** W and b as the contracts' softmax network (copies). */
    @Override
    public Network network() {
        return Network.softmax(weights(), bias());
    }

    /** One SGD step on a filled minibatch: {@code p -= lr * grad / n}. */
    @Override
    public StepResult step(Minibatch batch, float learningRate) {
        checkOpen();
        if (batch.inputs() != inputs) {
            throw new IllegalArgumentException("a minibatch of " + batch.inputs() + " inputs for a model of " + inputs);
        }
        int n = batch.count();
        try (NDManager scope = manager.newSubManager()) {
            // X is already the engine's: no copy per step
            return step(scope, batch.x(scope), batch.labels(), n, learningRate);
        }
    }

    /** One SGD step on real-valued inputs ({@code n x inputs}, row-major), labels 0..outputs-1. */
    StepResult step(float[] x, int[] labels, int n, float learningRate) {
        checkOpen();
        try (NDManager scope = manager.newSubManager()) {
            return step(scope, scope.create(x, new Shape(n, inputs)), labels, n, learningRate);
        }
    }

    /** Summed loss and the gradients of W and b at the current parameters; the parameters stay as they are. */
    Gradients gradients(float[] x, int[] labels, int n) {
        checkOpen();
        try (NDManager scope = manager.newSubManager()) {
            NDArray xs = scope.create(x, new Shape(n, inputs));
            float[] g = new float[n * outputs];
            Forward f = forward(xs, labels, n, 1f, g);
            float[] gradW = transpose(onEngine(scope, g, n).matMul(xs).toFloatArray(), outputs, inputs);
            return new Gradients(f.lossSum, gradW, columnSums(g, n));
        }
    }

    /** The step's temporaries live in {@code scope} (x may be a minibatch's own array, which outlives it). */
    private StepResult step(NDManager scope, NDArray x, int[] labels, int n, float learningRate) {
        float scale = learningRate / n;
        float[] g = new float[n * outputs];
        Forward f = forward(x, labels, n, scale, g);
        // W^T -= (lr/n G)^T X: one product straight into W's storage (G is first: the product joins its scope)
        wt.subi(onEngine(scope, g, n).matMul(x));
        float[] gb = columnSums(g, n);
        for (int j = 0; j < outputs; j++) {
            b[j] -= gb[j];
        }
        return new StepResult(n, f.lossSum, f.correct);
    }

    private record Forward(double lossSum, int correct) {
    }

    /**
     * The transpose {@code G^T} ({@code outputs x n}) of row-major {@code n x outputs} values, as an
     * array of the step's scope, through a reused direct buffer: the engine takes a direct ByteBuffer as
     * it is, where a float[] would cost a new direct buffer per step (freed only when the GC runs).
     */
    private NDArray onEngine(NDManager scope, float[] g, int n) {
        int bytes = n * outputs * Float.BYTES;
        if (transfer == null || transfer.capacity() < bytes) {
            transfer = directBuffer(bytes);
        }
        transfer.clear();
        transfer.asFloatBuffer().put(transpose(g, n, outputs), 0, n * outputs);
        return scope.create(transfer.duplicate().order(ByteOrder.nativeOrder()).limit(bytes), new Shape(outputs, n),
                DataType.FLOAT32);
    }

    /** The transpose of a row-major {@code rows x cols} matrix. */
    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }

    /**
     * Z = X W + b; the summed cross-entropy of the labels under log-softmax(Z) (computed stably as
     * {@code z_y - max - log(sum(exp(z - max)))}); the hits of argmax(Z); and into {@code g} the
     * gradient of the summed loss with respect to Z, {@code softmax(Z) - onehot(y)}, times {@code scale}.
     */
    private Forward forward(NDArray x, int[] labels, int n, float scale, float[] g) {
        if (labels.length < n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " samples");
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= outputs) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is not in 0.."
                        + (outputs - 1));
            }
        }
        float[] z = logits(x);
        double lossSum = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int row = i * outputs;
            int best = argMax(z, row, outputs);
            float max = z[row + best];
            double sum = 0;
            for (int j = 0; j < outputs; j++) {
                double e = Math.exp(z[row + j] - max);
                g[row + j] = (float) e;
                sum += e;
            }
            int y = labels[i];
            lossSum += Math.log(sum) - (z[row + y] - max);
            if (best == y) {
                correct++;
            }
            for (int j = 0; j < outputs; j++) {
                g[row + j] = (float) ((g[row + j] / sum - (j == y ? 1 : 0)) * scale);
            }
        }
        return new Forward(lossSum, correct);
    }

    /**
     * X W + b, row-major {@code n x outputs}, in Java (from {@code Z^T = W^T X^T}). The product and the
     * transposed view are closed here: DJL attaches an operation's result to its first operand's manager,
     * which for {@code W^T} is the model's own, so each step would otherwise leave its 10 x n result there
     * until the model closes (a native and heap leak that grew with every step).
     */
    private float[] logits(NDArray x) {
        float[] zt;
        try (NDArray xt = x.transpose(); NDArray product = wt.matMul(xt)) {
            zt = product.toFloatArray();
        }
        int n = zt.length / outputs;
        float[] z = new float[zt.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < outputs; j++) {
                z[i * outputs + j] = zt[j * n + i] + b[j];
            }
        }
        return z;
    }

    private float[] columnSums(float[] g, int n) {
        float[] sums = new float[outputs];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < outputs; j++) {
                sums[j] += g[i * outputs + j];
            }
        }
        return sums;
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
            return softmax(logits(scope.create(x, new Shape(n, inputs))), n, outputs);
        }
    }

    /**
     * Row-wise softmax of {@code n x k} logits, computed stably as exp(z - max) / sum(exp(z - max)):
     * the same function as exp(z) / sum(exp(z)), without overflow for large logits.
     */
    static float[] softmax(float[] logits, int n, int k) {
        float[] p = new float[n * k];
        for (int i = 0; i < n; i++) {
            int row = i * k;
            float max = logits[row + argMax(logits, row, k)];
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            for (int j = 0; j < k; j++) {
                p[row + j] = (float) (Math.exp(logits[row + j] - max) / sum);
            }
        }
        return p;
    }

    /**
     * Counts the correct predictions on a set of uint8 images (row-major {@code n x inputs}, direct
     * buffer) in chunks of at most {@code chunk} rows, one matmul per chunk.
     */
    @Override
    public int countCorrectPixels(ByteBuffer pixels, byte[] labels, int n, int chunk) {
        checkOpen();
        int correct = 0;
        int rowBytes = inputs;
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            ByteBuffer slice = pixels.duplicate().position(start * rowBytes).limit((start + rows) * rowBytes).slice();
            try (NDManager scope = manager.newSubManager()) {
                float[] z = logits(pixelsToX(scope, slice, rows));
                for (int i = 0; i < rows; i++) {
                    if (argMax(z, i * outputs, outputs) == Byte.toUnsignedInt(labels[start + i])) {
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

    /** Arrays the model's own manager holds: W alone, whatever the number of steps and evaluations. */
    int heldArrays() {
        return manager.getManagedArrays().size();
    }

    /** A copy of W, row-major {@code inputs x outputs}. */
    public float[] weights() {
        checkOpen();
        return transpose(wt.toFloatArray(), outputs, inputs);
    }

    /** A copy of b. */
    public float[] bias() {
        checkOpen();
        return b.clone();
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
