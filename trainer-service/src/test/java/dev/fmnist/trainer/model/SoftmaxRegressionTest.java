package dev.fmnist.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Pins the math on the seed's toy example: X = [[1,2,3,4],[5,6,7,8],[9,10,11,12]], a fixed 4x2 W,
 * b = [0.5, -0.5], labels [0, 1, 0]. The logits are round numbers by hand:
 * row i gives z = (1.2 + i, -0.5), so every expected value below has a closed form.
 */
class SoftmaxRegressionTest {
    static final float[] X = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    static final float[] W = {
        0.1f, -0.2f,
        0.05f, 0.3f,
        -0.1f, 0.0f,
        0.2f, -0.1f};
    static final float[] B = {0.5f, -0.5f};
    static final int[] Y = {0, 1, 0};
    static final int N = 3;
    static final int D = 4;
    static final int K = 2;

    @Test
    void forwardPassGivesTheHandComputedProbabilities() {
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, W, B)) {
            float[] p = model.predictProbabilities(X, N);
            // softmax of (1.2 + i, -0.5): p0 = 1 / (1 + e^-(1.7 + i))
            double[] expected = new double[N * K];
            for (int i = 0; i < N; i++) {
                expected[i * K] = 1 / (1 + Math.exp(-(1.7 + i)));
                expected[i * K + 1] = 1 - expected[i * K];
            }
            assertClose(new double[] {0.8455347349, 0.1544652651, 0.9370266439, 0.0629733561, 0.9758729786, 0.0241270214},
                    expected, 1e-9);
            assertClose(expected, p, 1e-6);
        }
    }

    @Test
    void summedLossAndGradientsMatchTheHandDerivation() {
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, W, B)) {
            SoftmaxRegression.Gradients g = model.gradients(X, Y, N);
            // -log p[y]: rows 0 and 2 (y=0) log(1 + e^-(z0-z1)), row 1 (y=1) log(1 + e^(z0-z1))
            double loss = Math.log1p(Math.exp(-1.7)) + Math.log1p(Math.exp(2.7)) + Math.log1p(Math.exp(-3.7));
            assertEquals(2.9572524371, loss, 1e-9);
            assertEquals(loss, g.lossSum(), 1e-5);

            // dL/dZ = P - onehot(Y); dL/dW = X^T (P - Y) (4x2), dL/db = column sums of (P - Y)
            assertEquals(D * K, g.gradW().length);
            assertEquals(K, g.gradB().length);
            double[] expectedW = {4.3135247619, -4.3135247619, 5.0719591193, -5.0719591193,
                5.8303934768, -5.8303934768, 6.5888278342, -6.5888278342};
            double[] expectedB = {0.7584343574, -0.7584343574};
            // the reference runs on the float32 W (0.1f is not 0.1): agreement to 1e-6
            assertClose(expectedW, reference(W, B).gradW, 1e-6);
            assertClose(expectedB, reference(W, B).gradB, 1e-6);
            assertClose(expectedW, g.gradW(), 1e-5);
            assertClose(expectedB, g.gradB(), 1e-5);
        }
    }

    @Test
    void gradientsDoNotAccumulateAcrossCalls() {
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, W, B)) {
            float[] first = model.gradients(X, Y, N).gradW();
            float[] second = model.gradients(X, Y, N).gradW();
            assertArrayEquals(first, second, 1e-6f);
            model.step(X, Y, N, 0.1f);
            model.step(X, Y, N, 0.1f);
            // after two steps the gradient is the one at the new parameters, not a sum of three
            Reference r = reference(model.weights(), model.bias());
            assertClose(r.gradW, model.gradients(X, Y, N).gradW(), 1e-4);
        }
    }

    @Test
    void autogradAgreesWithFiniteDifferences() {
        float eps = 1e-2f;
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, W, B)) {
            SoftmaxRegression.Gradients g = model.gradients(X, Y, N);
            for (int i = 0; i < W.length; i++) {
                float[] plus = W.clone();
                float[] minus = W.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double numeric = (loss(plus, B) - loss(minus, B)) / (2 * eps);
                assertEquals(numeric, g.gradW()[i], 2e-2 * Math.max(1, Math.abs(numeric)), "dL/dW[" + i + "]");
            }
            for (int j = 0; j < B.length; j++) {
                float[] plus = B.clone();
                float[] minus = B.clone();
                plus[j] += eps;
                minus[j] -= eps;
                double numeric = (loss(W, plus) - loss(W, minus)) / (2 * eps);
                assertEquals(numeric, g.gradB()[j], 2e-2 * Math.max(1, Math.abs(numeric)), "dL/db[" + j + "]");
            }
        }
    }

    @Test
    void oneSgdStepMatchesThePlainJavaReference() {
        float lr = 0.1f;
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, W, B)) {
            StepResult r = model.step(X, Y, N, lr);
            Reference ref = reference(W, B);
            double[] expectedW = new double[W.length];
            for (int i = 0; i < W.length; i++) {
                expectedW[i] = W[i] - lr * ref.gradW[i] / N;
            }
            double[] expectedB = {B[0] - lr * ref.gradB[0] / N, B[1] - lr * ref.gradB[1] / N};
            assertClose(new double[] {-0.0437841587, -0.0562158413, -0.1190653040, 0.4690653040,
                -0.2943464492, 0.1943464492, -0.0196275945, 0.1196275945}, expectedW, 1e-6);
            assertClose(expectedW, model.weights(), 1e-6);
            assertClose(expectedB, model.bias(), 1e-6);
            assertEquals(ref.loss, r.lossSum(), 1e-5);
            // before the update every row predicts class 0: rows 0 and 2 are right
            assertEquals(2, r.correct());
            assertEquals(3, r.count());
        }
    }

    @Test
    void softmaxDoesNotOverflowOnLargeLogits() {
        float[] p = SoftmaxRegression.softmax(new float[] {1000f, 0f, 1000f, 1000f, -1000f, 999f}, 2, 3);
        assertClose(new double[] {0.5, 0, 0.5, 1 / (1 + Math.exp(-1)), 0, 1 / (1 + Math.exp(1))}, p, 1e-6);
        // the training loss goes through log-softmax: finite for the same logits
        float[] wBig = {1000f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, wBig, new float[] {0f, 0f})) {
            SoftmaxRegression.Gradients g = model.gradients(new float[] {1, 0, 0, 0}, new int[] {1}, 1);
            assertEquals(1000.0, g.lossSum(), 1e-3);
            for (float v : g.gradW()) {
                assertTrue(Float.isFinite(v));
            }
            assertEquals(1.0, g.gradB()[0], 1e-6);
        }
    }

    @Test
    void pixelStepScalesBy255AndMatchesTheFloatStep() {
        Random random = new Random(3);
        int d = 6;
        int n = 5;
        byte[] raw = new byte[n * d];
        random.nextBytes(raw);
        float[] x = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            x[i] = Byte.toUnsignedInt(raw[i]) / 255f;
        }
        int[] y = {0, 2, 1, 2, 0};
        try (SoftmaxRegression a = SoftmaxRegression.initialize(d, 3, 42);
             SoftmaxRegression b = SoftmaxRegression.initialize(d, 3, 42)) {
            assertArrayEquals(a.weights(), b.weights());
            ByteBuffer pixels = SoftmaxRegression.directBuffer(raw.length).put(raw).flip();
            StepResult ra = a.stepPixels(pixels, y, n, 0.1f);
            StepResult rb = b.step(x, y, n, 0.1f);
            assertEquals(rb.lossSum(), ra.lossSum(), 1e-5);
            assertArrayEquals(b.weights(), a.weights(), 1e-6f);
            byte[] labels = {0, 2, 1, 2, 0};
            int correct = a.countCorrectPixels(pixels, labels, n, 2);
            assertTrue(correct >= 0 && correct <= n);
            assertEquals(correct, countCorrect(a.predictProbabilities(x, n), y, 3));
        }
    }

    @Test
    void stepsAndEvaluationsLeaveNothingBehindInTheModel() {
        Random random = new Random(5);
        int d = 8;
        int n = 6;
        byte[] raw = new byte[n * d];
        random.nextBytes(raw);
        ByteBuffer pixels = SoftmaxRegression.directBuffer(raw.length).put(raw).flip();
        int[] y = {0, 1, 2, 0, 1, 2};
        byte[] labels = {0, 1, 2, 0, 1, 2};
        try (SoftmaxRegression model = SoftmaxRegression.initialize(d, 3, 7)) {
            int before = model.heldArrays();
            for (int i = 0; i < 50; i++) {
                model.stepPixels(pixels.duplicate(), y, n, 0.1f);
                model.countCorrectPixels(pixels, labels, n, 4);
                model.predictProbabilities(new float[n * d], n);
            }
            // W^T alone: each step's product used to stay attached to the model's manager
            assertEquals(before, model.heldArrays());
        }
    }

    @Test
    void aPartlyFilledMinibatchStepsLikeAMinibatchOfItsRowsAndLeavesNothingBehind() {
        Random random = new Random(9);
        int d = 8;
        byte[] raw = new byte[6 * d];
        random.nextBytes(raw);
        int[] y = {0, 1, 2, 0, 1, 2};
        try (Minibatch batch = new Minibatch(8, d);
             SoftmaxRegression model = SoftmaxRegression.initialize(d, 3, 7);
             SoftmaxRegression twin = SoftmaxRegression.initialize(d, 3, 7)) {
            batch.fill(SoftmaxRegression.directBuffer(raw.length).put(raw).flip(), y, 6);
            for (int i = 0; i < 50; i++) {
                StepResult r = model.step(batch, 0.1f);
                StepResult t = twin.stepPixels(SoftmaxRegression.directBuffer(raw.length).put(raw).flip(),
                        y, 6, 0.1f);
                assertEquals(t.lossSum(), r.lossSum(), 1e-9, "the first 6 of 8 rows, as a minibatch of 6");
            }
            assertArrayEquals(twin.weights(), model.weights(), 0f);
            assertEquals(1, batch.heldArrays(), "X alone: each step's view of its first rows is closed with the step");
            assertEquals(1, model.heldArrays());
        }
    }

    @Test
    void initialisationIsSeededNormalWithStd001AndZeroBias() {
        try (SoftmaxRegression m = SoftmaxRegression.initialize(784, 10, 7);
             SoftmaxRegression same = SoftmaxRegression.initialize(784, 10, 7);
             SoftmaxRegression other = SoftmaxRegression.initialize(784, 10, 8)) {
            float[] w = m.weights();
            double mean = 0;
            double sq = 0;
            for (float v : w) {
                mean += v;
                sq += v * v;
            }
            mean /= w.length;
            double std = Math.sqrt(sq / w.length - mean * mean);
            assertEquals(0, mean, 1e-3);
            assertEquals(0.01, std, 5e-4);
            assertArrayEquals(new float[10], m.bias());
            assertArrayEquals(w, same.weights());
            assertTrue(w[0] != other.weights()[0]);
        }
    }

    @Test
    void rejectsLabelsOutOfRangeAndWrongShapes() {
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, W, B)) {
            assertThrows(IllegalArgumentException.class, () -> model.step(X, new int[] {0, 2, 0}, N, 0.1f));
        }
        assertThrows(IllegalArgumentException.class, () -> SoftmaxRegression.of(D, K, W, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> SoftmaxRegression.of(D, K, new float[7], B));
    }

    private static int countCorrect(float[] p, int[] y, int k) {
        int correct = 0;
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (p[i * k + j] > p[i * k + best]) {
                    best = j;
                }
            }
            correct += best == y[i] ? 1 : 0;
        }
        return correct;
    }

    private static double loss(float[] w, float[] b) {
        try (SoftmaxRegression model = SoftmaxRegression.of(D, K, w, b)) {
            return model.gradients(X, Y, N).lossSum();
        }
    }

    /** Plain-Java double reference: loss, dL/dW = X^T (P - Y), dL/db = sum(P - Y). */
    record Reference(double loss, double[] gradW, double[] gradB) {
    }

    static Reference reference(float[] w, float[] b) {
        double loss = 0;
        double[] gw = new double[D * K];
        double[] gb = new double[K];
        for (int i = 0; i < N; i++) {
            double[] z = new double[K];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < K; j++) {
                z[j] = b[j];
                for (int k = 0; k < D; k++) {
                    z[j] += (double) X[i * D + k] * w[k * K + j];
                }
                max = Math.max(max, z[j]);
            }
            double sum = 0;
            for (int j = 0; j < K; j++) {
                sum += Math.exp(z[j] - max);
            }
            for (int j = 0; j < K; j++) {
                double p = Math.exp(z[j] - max) / sum;
                double delta = p - (Y[i] == j ? 1 : 0);
                gb[j] += delta;
                for (int k = 0; k < D; k++) {
                    gw[k * K + j] += X[i * D + k] * delta;
                }
            }
            loss -= (z[Y[i]] - max) - Math.log(sum);
        }
        return new Reference(loss, gw, gb);
    }

    static void assertClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "index " + i);
        }
    }

    static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "index " + i);
        }
    }
}
