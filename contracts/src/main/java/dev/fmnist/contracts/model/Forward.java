package dev.fmnist.contracts.model;

import dev.fmnist.contracts.FashionMnist;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain-Java forward pass of any {@link Architecture}: every scorer outside training (inference's
 * REST and Kafka paths, the console's quality view, the export checks) runs a model through this one
 * class, and the trainer's DJL blocks are held to it by a parity test.
 *
 * <p>Inputs are raw pixels 0-255; the model was trained on pixel / 255, which is folded once into the
 * first layer's weights (both dense and convolution are linear in their input). Dense layers skip zero
 * inputs (background pixels, ReLU zeros) and run their inner loop over contiguous outputs; a
 * convolution runs its inner loop over contiguous output columns; both are loops the JIT vectorises.
 * The seed's 784x10 softmax regression keeps its own unrolled kernel (ten accumulators in registers).
 *
 * <p>Immutable and thread-safe: each calling thread gets its own scratch activations, so scoring
 * allocates nothing but the ten probabilities it returns.
 */
public final class Forward {
    /** Per thread: the input, two ping-pong activations and a convolution's patch matrix. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private final Architecture architecture;
    private final Step[] steps;
    /** The seed's model: one dense 784x10 layer, scored by its unrolled kernel. */
    private final float[] linearW;
    private final float[] linearB;
    private final int maxActivation;
    private final int maxPatches;

    private Forward(Network network) {
        this.architecture = network.architecture();
        List<Layer> layers = architecture.layers();
        List<int[]> shapes = architecture.shapes();
        List<Step> compiled = new ArrayList<>();
        int max = 0;
        int patches = 0;
        for (int i = 0; i < layers.size(); i++) {
            float scale = i == 0 ? 1f / 255f : 1f;
            Step step = compile(layers.get(i), shapes.get(i), network, scale);
            compiled.add(step);
            max = Math.max(max, size(shapes.get(i + 1)));
            if (step instanceof ConvStep c) {
                patches = Math.max(patches, c.patchRows() * c.oh * c.ow);
            }
        }
        this.maxPatches = patches;
        this.steps = compiled.toArray(Step[]::new);
        this.maxActivation = Math.max(max, FashionMnist.PIXELS);
        if (layers.size() == 1 && layers.get(0) instanceof Layer.Dense d && d.out() == FashionMnist.CLASSES) {
            this.linearW = ((DenseStep) steps[0]).w;
            this.linearB = ((DenseStep) steps[0]).b;
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
        float[][] s = scratch();
        float[] x = s[0];
        for (int i = 0; i < FashionMnist.PIXELS; i++) {
            x[i] = pixels[offset + i] & 0xFF;
        }
        return softmax(run(s));
    }

    /**
     * Class probabilities of 784 pixel values on the 0-255 scale given as floats (the Open Inference
     * Protocol's FP32 input times 255); for integral values the result is the byte path's exactly.
     */
    public float[] probabilities(float[] pixels, int offset) {
        float[][] s = scratch();
        float[] x = s[0];
        System.arraycopy(pixels, offset, x, 0, FashionMnist.PIXELS);
        if (linearW != null) {
            return softmax(linearFloats(x));
        }
        return softmax(run(s));
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

    private float[][] scratch() {
        float[][] s = SCRATCH.get();
        if (s[0].length < maxActivation) {
            for (int i = 0; i < 3; i++) {
                s[i] = new float[maxActivation];
            }
        }
        if (s[3].length < maxPatches) {
            s[3] = new float[maxPatches];
        }
        return s;
    }

    /** Runs the steps over s[0] (the input), ping-ponging between s[1] and s[2]; returns fresh logits. */
    private float[] run(float[][] s) {
        float[] in = s[0];
        int next = 1;
        for (Step step : steps) {
            float[] out = s[next];
            if (step.inPlace()) {
                step.apply(in, in);
                continue;
            }
            if (step instanceof ConvStep c) {
                c.apply(in, out, s[3]);
            } else {
                step.apply(in, out);
            }
            in = out;
            next = next == 1 ? 2 : 1;
        }
        float[] logits = new float[FashionMnist.CLASSES];
        System.arraycopy(in, 0, logits, 0, logits.length);
        return logits;
    }

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

    private float[] linearFloats(float[] pixels) {
        float[] w = linearW;
        float[] b = linearB;
        float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], a4 = b[4];
        float a5 = b[5], a6 = b[6], a7 = b[7], a8 = b[8], a9 = b[9];
        for (int i = 0; i < FashionMnist.PIXELS; i++) {
            float x = pixels[i];
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

    private static Step compile(Layer layer, int[] in, Network network, float scale) {
        if (layer instanceof Layer.Dense d) {
            return new DenseStep(d.in(), d.out(), scaled(network.tensor(d.weight()), scale), network.tensor(d.bias()).clone());
        }
        if (layer instanceof Layer.Conv c) {
            return new ConvStep(c, in, scaled(network.tensor(c.weight()), scale), network.tensor(c.bias()).clone());
        }
        if (layer instanceof Layer.MaxPool p) {
            return new PoolStep(p.size(), in);
        }
        if (layer == Layer.Relu.INSTANCE) {
            return new ReluStep(size(in));
        }
        return FlattenStep.INSTANCE; // activations are flat row-major arrays already
    }

    private static float[] scaled(float[] values, float scale) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] * scale;
        }
        return out;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private interface Step {
        void apply(float[] in, float[] out);

        default boolean inPlace() {
            return false;
        }
    }

    private static final class DenseStep implements Step {
        final int in;
        final int out;
        final float[] w;
        final float[] b;

        DenseStep(int in, int out, float[] w, float[] b) {
            this.in = in;
            this.out = out;
            this.w = w;
            this.b = b;
        }

        @Override
        public void apply(float[] x, float[] y) {
            System.arraycopy(b, 0, y, 0, out);
            for (int i = 0; i < in; i++) {
                float v = x[i];
                if (v == 0) {
                    continue;
                }
                int r = i * out;
                for (int j = 0; j < out; j++) {
                    y[j] += w[r + j] * v;
                }
            }
        }
    }

    private static final class ConvStep implements Step {
        final int inC;
        final int outC;
        final int k;
        final int pad;
        final int h;
        final int wd;
        final int oh;
        final int ow;
        final float[] w;
        final float[] b;

        ConvStep(Layer.Conv c, int[] in, float[] w, float[] b) {
            this.inC = c.inChannels();
            this.outC = c.outChannels();
            this.k = c.kernel();
            this.pad = c.padding();
            this.h = in[1];
            this.wd = in[2];
            this.oh = h + 2 * pad - k + 1;
            this.ow = wd + 2 * pad - k + 1;
            this.w = w;
            this.b = b;
        }

        /** Rows of the patch matrix: one per (input channel, kernel row, kernel column). */
        int patchRows() {
            return inC * k * k;
        }

        /**
         * im2col, then one long axpy per (output channel, patch row): {@code y[o][p] += W[o][r] * patch[r][p]}
         * over the {@code oh * ow} output positions p, a loop long enough for the JIT's vector code
         * (a direct loop over output columns runs only 10 to 28 wide here).
         */
        @Override
        public void apply(float[] x, float[] y) {
            throw new UnsupportedOperationException("needs a patch buffer");
        }

        void apply(float[] x, float[] y, float[] patches) {
            int plane = oh * ow;
            int row = 0;
            for (int c = 0; c < inC; c++) {
                int xc = c * h * wd;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++, row++) {
                        int base = row * plane;
                        int shift = kx - pad;
                        int from = Math.max(0, -shift);
                        int to = Math.min(ow, wd - shift);
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy + ky - pad;
                            int pr = base + oy * ow;
                            if (iy < 0 || iy >= h) {
                                java.util.Arrays.fill(patches, pr, pr + ow, 0f);
                                continue;
                            }
                            for (int ox = 0; ox < from; ox++) {
                                patches[pr + ox] = 0f;
                            }
                            System.arraycopy(x, xc + iy * wd + shift + from, patches, pr + from, to - from);
                            for (int ox = Math.max(to, from); ox < ow; ox++) {
                                patches[pr + ox] = 0f;
                            }
                        }
                    }
                }
            }
            int rows = patchRows();
            for (int o = 0; o < outC; o++) {
                int yo = o * plane;
                java.util.Arrays.fill(y, yo, yo + plane, b[o]);
                int wo = o * rows;
                for (int r = 0; r < rows; r++) {
                    float weight = w[wo + r];
                    int pr = r * plane;
                    for (int p = 0; p < plane; p++) {
                        y[yo + p] += weight * patches[pr + p];
                    }
                }
            }
        }
    }

    private static final class PoolStep implements Step {
        final int size;
        final int channels;
        final int h;
        final int w;
        final int oh;
        final int ow;

        PoolStep(int size, int[] in) {
            this.size = size;
            this.channels = in[0];
            this.h = in[1];
            this.w = in[2];
            this.oh = h / size;
            this.ow = w / size;
        }

        @Override
        public void apply(float[] x, float[] y) {
            for (int c = 0; c < channels; c++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < size; dy++) {
                            int r = (c * h + oy * size + dy) * w + ox * size;
                            for (int dx = 0; dx < size; dx++) {
                                m = Math.max(m, x[r + dx]);
                            }
                        }
                        y[(c * oh + oy) * ow + ox] = m;
                    }
                }
            }
        }
    }

    private static final class ReluStep implements Step {
        final int n;

        ReluStep(int n) {
            this.n = n;
        }

        @Override
        public void apply(float[] x, float[] y) {
            for (int i = 0; i < n; i++) {
                if (x[i] < 0) {
                    y[i] = 0;
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
        public void apply(float[] x, float[] y) {
        }

        @Override
        public boolean inPlace() {
            return true;
        }
    }
}
