package dev.fmnist.contracts.model;

import dev.fmnist.contracts.FashionMnist;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plain-Java forward pass of any {@link Architecture}: every scorer outside training (inference's
 * REST and Kafka paths, the console's quality view, the export checks) runs a model through this one
 * class, and the trainer's DJL blocks are held to it by a parity test.
 *
 * <p>Inputs are raw pixels 0-255; the model was trained on pixel / 255, which is folded once into the
 * first layer's weights (both dense and convolution are linear in their input). Activations are held
 * as one array per channel, dense weights as one array per input, so every inner loop is
 * {@code y[j] += w * x[j]} over two whole arrays from index 0: the form HotSpot's C2 turns into vector
 * instructions (with an offset into either array it does not, and runs 5 to 8 times slower). Dense
 * layers skip zero inputs (background pixels, ReLU zeros); a convolution is im2col, then one such loop
 * per output channel and patch row. The seed's 784x10 softmax regression keeps its own unrolled kernel
 * (ten accumulators in registers).
 *
 * <p>Immutable and thread-safe: each calling thread gets its own activation buffers (one set per thread
 * and architecture, shared by every version), so scoring allocates nothing but the ten probabilities it
 * returns.
 */
public final class Forward {
    private final Architecture architecture;
    private final Step[] steps;
    /** Per step, the shape of its output: {channels, plane} (a flat vector is 1 x n). */
    private final int[][] outShapes;
    /** The seed's model: one dense 784x10 layer, scored by its unrolled kernel. */
    private final float[] linearW;
    private final float[] linearB;
    /**
     * Per architecture, each thread's buffers: they depend on the layers only, so every version of a model
     * (and every model of a family) shares one set per thread, however many versions a registry retains.
     */
    private static final Map<Architecture, ThreadLocal<Buffers>> BUFFERS = new ConcurrentHashMap<>();
    private final ThreadLocal<Buffers> buffers;

    /** One thread's activations: the input, each step's output, the patch matrix of a convolution. */
    private record Buffers(float[][] input, float[][][] outputs, float[][] patches) {
    }

    private Forward(Network network) {
        this.architecture = network.architecture();
        List<Layer> layers = architecture.layers();
        List<int[]> shapes = architecture.shapes();
        this.steps = new Step[layers.size()];
        this.outShapes = new int[layers.size()][];
        int patchRows = 0;
        int patchPlane = 0;
        for (int i = 0; i < layers.size(); i++) {
            float scale = i == 0 ? 1f / 255f : 1f;
            steps[i] = compile(layers.get(i), shapes.get(i), network, scale);
            outShapes[i] = planes(shapes.get(i + 1));
            if (steps[i] instanceof ConvStep c) {
                patchRows = Math.max(patchRows, c.patchRows());
                patchPlane = Math.max(patchPlane, c.oh * c.ow);
            }
        }
        int rows = patchRows;
        int plane = patchPlane;
        boolean[] inPlace = new boolean[steps.length];
        for (int i = 0; i < steps.length; i++) {
            inPlace[i] = steps[i].inPlace();
        }
        int[][] shapesOut = outShapes;
        this.buffers = BUFFERS.computeIfAbsent(architecture, a -> ThreadLocal.withInitial(
                () -> newBuffers(inPlace, shapesOut, rows, plane)));
        Layer first = layers.get(0);
        if (layers.size() == 1 && first instanceof Layer.Dense d && d.out() == FashionMnist.CLASSES) {
            float[] w = network.tensor(d.weight());
            this.linearW = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                linearW[i] = w[i] / 255f;
            }
            this.linearB = network.tensor(d.bias()).clone();
        } else {
            this.linearW = null;
            this.linearB = null;
        }
    }

    /** Compiles a network; its tensors are copied (scaled), so the network may change afterwards. */
    public static Forward of(Network network) {
        return new Forward(network);
    }

    public Architecture architecture() {
        return architecture;
    }

    /** Class probabilities of the 784 unsigned bytes (row-major 28x28) at {@code pixels[offset...]}. */
    public float[] probabilities(byte[] pixels, int offset) {
        if (linearW != null) {
            return softmax(linearBytes(pixels, offset));
        }
        Buffers b = buffers.get();
        float[] x = b.input()[0];
        for (int i = 0; i < FashionMnist.PIXELS; i++) {
            x[i] = pixels[offset + i] & 0xFF;
        }
        return softmax(run(b));
    }

    /**
     * Class probabilities of 784 pixel values on the 0-255 scale given as floats (the Open Inference
     * Protocol's FP32 input times 255); for integral values the result is the byte path's exactly.
     */
    public float[] probabilities(float[] pixels, int offset) {
        if (linearW != null) {
            return softmax(linearFloats(pixels, offset));
        }
        Buffers b = buffers.get();
        System.arraycopy(pixels, offset, b.input()[0], 0, FashionMnist.PIXELS);
        return softmax(run(b));
    }

    /** Index of the largest probability (the first one on a tie). */
    public static int argmax(float[] values) {
        int best = 0;
        for (int j = 1; j < values.length; j++) {
            if (values[j] > values[best]) {
                best = j;
            }
        }
        return best;
    }

    /** Softmax in place, shifted by the maximum so no exp overflows. */
    public static float[] softmax(float[] logits) {
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

    /** A thread's buffers for steps with these output shapes (captures no weights: it outlives this instance). */
    private static Buffers newBuffers(boolean[] inPlace, int[][] outShapes, int patchRows, int patchPlane) {
        float[][][] outputs = new float[inPlace.length][][];
        float[][] previous = null;
        for (int i = 0; i < inPlace.length; i++) {
            outputs[i] = inPlace[i] ? previous : new float[outShapes[i][0]][outShapes[i][1]];
            previous = outputs[i];
        }
        return new Buffers(new float[1][FashionMnist.PIXELS], outputs, new float[patchRows][patchPlane]);
    }

    /** Runs every step from the input buffer; returns fresh logits. */
    private float[] run(Buffers b) {
        float[][] in = b.input();
        for (int i = 0; i < steps.length; i++) {
            float[][] out = steps[i].inPlace() ? in : b.outputs()[i];
            steps[i].apply(in, out, b.patches());
            in = out;
        }
        return in[0].clone();
    }

    /*
     * The seed's x W + b with ten accumulators in registers, once reading bytes and once floats: written
     * twice because the byte path is the REST hot path, and converting its bytes to floats first (one
     * kernel for both) measured 5.7 instead of 3.8 us of CPU per image.
     */
    private float[] linearBytes(byte[] pixels, int offset) {
        float[] w = linearW;
        float[] b = linearB;
        float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], a4 = b[4];
        float a5 = b[5], a6 = b[6], a7 = b[7], a8 = b[8], a9 = b[9];
        for (int i = 0; i < FashionMnist.PIXELS; i++) {
            int p = pixels[offset + i] & 0xFF;
            if (p == 0) {
                continue; // about half of a Fashion-MNIST image is background
            }
            float x = p;
            int r = i * 10;
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
        return new float[] {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9};
    }

    private float[] linearFloats(float[] pixels, int offset) {
        float[] w = linearW;
        float[] b = linearB;
        float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], a4 = b[4];
        float a5 = b[5], a6 = b[6], a7 = b[7], a8 = b[8], a9 = b[9];
        for (int i = 0; i < FashionMnist.PIXELS; i++) {
            float x = pixels[offset + i];
            if (x == 0) {
                continue;
            }
            int r = i * 10;
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
        return new float[] {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9};
    }

    /** {channels, plane} of an activation shape: c x h x w as c planes of h*w, a vector of n as 1 x n. */
    private static int[] planes(int[] shape) {
        return shape.length == 3 ? new int[] {shape[0], shape[1] * shape[2]} : new int[] {1, shape[0]};
    }

    private static Step compile(Layer layer, int[] in, Network network, float scale) {
        if (layer instanceof Layer.Dense d) {
            return new DenseStep(d.in(), d.out(), network.tensor(d.weight()), network.tensor(d.bias()), scale);
        }
        if (layer instanceof Layer.Conv c) {
            return new ConvStep(c, in, network.tensor(c.weight()), network.tensor(c.bias()), scale);
        }
        if (layer instanceof Layer.MaxPool p) {
            return new PoolStep(p.size(), in);
        }
        if (layer == Layer.Relu.INSTANCE) {
            return ReluStep.INSTANCE;
        }
        return FlattenStep.INSTANCE; // a dense layer reads its input's planes in row-major order anyway
    }

    private interface Step {
        void apply(float[][] in, float[][] out, float[][] patches);

        default boolean inPlace() {
            return false;
        }
    }

    /** y = x W + b, W held as one row of {@code out} weights per input. */
    private static final class DenseStep implements Step {
        final int out;
        final float[][] w;
        final float[] b;

        DenseStep(int in, int out, float[] weights, float[] bias, float scale) {
            this.out = out;
            this.w = new float[in][out];
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < out; j++) {
                    w[i][j] = weights[i * out + j] * scale;
                }
            }
            this.b = bias.clone();
        }

        @Override
        public void apply(float[][] x, float[][] y, float[][] patches) {
            float[] acc = y[0];
            System.arraycopy(b, 0, acc, 0, out);
            int i = 0;
            for (float[] plane : x) {
                for (float v : plane) {
                    if (v != 0) {
                        float[] row = w[i];
                        for (int j = 0; j < out; j++) {
                            acc[j] += row[j] * v;
                        }
                    }
                    i++;
                }
            }
        }
    }

    /** A stride-1 convolution: im2col into {@code patches}, then one whole-row axpy per (channel, patch row). */
    private static final class ConvStep implements Step {
        final int inC;
        final int outC;
        final int k;
        final int pad;
        final int h;
        final int wd;
        final int oh;
        final int ow;
        /** W[o][r], r = (c * k + ky) * k + kx. */
        final float[][] w;
        final float[] b;

        ConvStep(Layer.Conv c, int[] in, float[] weights, float[] bias, float scale) {
            this.inC = c.inChannels();
            this.outC = c.outChannels();
            this.k = c.kernel();
            this.pad = c.padding();
            this.h = in[1];
            this.wd = in[2];
            this.oh = h + 2 * pad - k + 1;
            this.ow = wd + 2 * pad - k + 1;
            int rows = patchRows();
            this.w = new float[outC][rows];
            for (int o = 0; o < outC; o++) {
                for (int r = 0; r < rows; r++) {
                    w[o][r] = weights[o * rows + r] * scale;
                }
            }
            this.b = bias.clone();
        }

        /** Rows of the patch matrix: one per (input channel, kernel row, kernel column). */
        int patchRows() {
            return inC * k * k;
        }

        @Override
        public void apply(float[][] x, float[][] y, float[][] patches) {
            int plane = oh * ow;
            int row = 0;
            for (int c = 0; c < inC; c++) {
                float[] src = x[c];
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++, row++) {
                        float[] dst = patches[row];
                        int shift = kx - pad;
                        int from = Math.max(0, -shift);
                        int to = Math.max(from, Math.min(ow, wd - shift));
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy + ky - pad;
                            int at = oy * ow;
                            if (iy < 0 || iy >= h) {
                                Arrays.fill(dst, at, at + ow, 0f);
                                continue;
                            }
                            Arrays.fill(dst, at, at + from, 0f);
                            System.arraycopy(src, iy * wd + shift + from, dst, at + from, to - from);
                            Arrays.fill(dst, at + to, at + ow, 0f);
                        }
                    }
                }
            }
            int rows = patchRows();
            for (int o = 0; o < outC; o++) {
                float[] acc = y[o];
                Arrays.fill(acc, 0, plane, b[o]);
                float[] wo = w[o];
                for (int r = 0; r < rows; r++) {
                    float weight = wo[r];
                    float[] p = patches[r];
                    for (int i = 0; i < plane; i++) {
                        acc[i] += weight * p[i];
                    }
                }
            }
        }
    }

    private static final class PoolStep implements Step {
        final int size;
        final int w;
        final int oh;
        final int ow;

        PoolStep(int size, int[] in) {
            this.size = size;
            this.w = in[2];
            this.oh = in[1] / size;
            this.ow = in[2] / size;
        }

        @Override
        public void apply(float[][] x, float[][] y, float[][] patches) {
            for (int c = 0; c < x.length; c++) {
                float[] src = x[c];
                float[] dst = y[c];
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < size; dy++) {
                            int r = (oy * size + dy) * w + ox * size;
                            for (int dx = 0; dx < size; dx++) {
                                m = Math.max(m, src[r + dx]);
                            }
                        }
                        dst[oy * ow + ox] = m;
                    }
                }
            }
        }
    }

    private enum ReluStep implements Step {
        INSTANCE;

        @Override
        public void apply(float[][] x, float[][] y, float[][] patches) {
            for (float[] plane : x) {
                for (int i = 0; i < plane.length; i++) {
                    plane[i] = Math.max(plane[i], 0f);
                }
            }
        }

        @Override
        public boolean inPlace() {
            return true;
        }
    }

    private enum FlattenStep implements Step {
        INSTANCE;

        @Override
        public void apply(float[][] x, float[][] y, float[][] patches) {
        }

        @Override
        public boolean inPlace() {
            return true;
        }
    }
}
