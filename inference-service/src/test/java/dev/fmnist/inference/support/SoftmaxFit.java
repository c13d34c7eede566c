package dev.fmnist.inference.support;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Test-side models, written independently of the service's scorers: a quick softmax regression
 * fitted in plain Java (minibatch SGD on pixel / 255, as d2l), its accuracy computed in double
 * precision, and snapshots built from it.
 */
public final class SoftmaxFit {
    public static final int IN = FashionMnist.PIXELS;
    public static final int OUT = FashionMnist.CLASSES;

    /** Fitted weights with the figures measured on them. */
    public record Fit(float[] w, float[] b, double trainLoss, double trainAccuracy, double testAccuracy, int epochs) {
    }

    private SoftmaxFit() {
    }

    public static FashionMnistData data() {
        return FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir", "../../shared/data/fashion-mnist")));
    }

    /** Minibatch SGD (batch 256, lr 0.1) over the first {@code images} training images, {@code epochs} times. */
    public static Fit fit(FashionMnistData data, int images, int epochs, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[IN * OUT];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.01);
        }
        float[] b = new float[OUT];
        byte[] px = data.train().images().pixels();
        int batch = 256;
        float lr = 0.1f;
        double[] x = new double[IN];
        double[] gw = new double[IN * OUT];
        double[] gb = new double[OUT];
        for (int e = 0; e < epochs; e++) {
            for (int start = 0; start < images; start += batch) {
                int end = Math.min(images, start + batch);
                java.util.Arrays.fill(gw, 0);
                java.util.Arrays.fill(gb, 0);
                for (int n = start; n < end; n++) {
                    for (int i = 0; i < IN; i++) {
                        x[i] = (px[n * IN + i] & 0xFF) / 255.0;
                    }
                    double[] p = softmax(logits(w, b, x));
                    p[data.train().label(n)] -= 1;
                    for (int i = 0; i < IN; i++) {
                        if (x[i] != 0) {
                            for (int j = 0; j < OUT; j++) {
                                gw[i * OUT + j] += x[i] * p[j];
                            }
                        }
                    }
                    for (int j = 0; j < OUT; j++) {
                        gb[j] += p[j];
                    }
                }
                int m = end - start;
                for (int k = 0; k < w.length; k++) {
                    w[k] -= (float) (lr * gw[k] / m);
                }
                for (int j = 0; j < OUT; j++) {
                    b[j] -= (float) (lr * gb[j] / m);
                }
            }
        }
        double[] train = evaluate(w, b, data.train(), images);
        double[] test = evaluate(w, b, data.test(), data.test().count());
        return new Fit(w, b, train[0], train[1], test[1], epochs);
    }

    /** {mean cross-entropy, accuracy} over the first {@code count} images of a split, in double. */
    public static double[] evaluate(float[] w, float[] b, FashionMnistData.Split split, int count) {
        byte[] px = split.images().pixels();
        double[] x = new double[IN];
        double loss = 0;
        int correct = 0;
        for (int n = 0; n < count; n++) {
            for (int i = 0; i < IN; i++) {
                x[i] = (px[n * IN + i] & 0xFF) / 255.0;
            }
            double[] p = softmax(logits(w, b, x));
            int best = 0;
            for (int j = 1; j < OUT; j++) {
                if (p[j] > p[best]) {
                    best = j;
                }
            }
            if (best == split.label(n)) {
                correct++;
            }
            loss -= Math.log(Math.max(p[split.label(n)], 1e-12));
        }
        return new double[] {loss / count, (double) correct / count};
    }

    /** Class probabilities of one image, in double: the reference the service is compared to. */
    public static double[] probabilities(float[] w, float[] b, byte[] pixels, int offset) {
        double[] x = new double[IN];
        for (int i = 0; i < IN; i++) {
            x[i] = (pixels[offset + i] & 0xFF) / 255.0;
        }
        return softmax(logits(w, b, x));
    }

    public static WeightSnapshot snapshot(String model, long version, Fit fit, Instant createdAt) {
        return new WeightSnapshot(model, version, fit.epochs(), version * 100L, fit.w().clone(), fit.b().clone(),
                new WeightSnapshot.Hyperparameters(0.1, 256, 42),
                new WeightSnapshot.Metrics(fit.trainLoss(), fit.trainAccuracy(), fit.testAccuracy()),
                List.of(new WeightSnapshot.SourceOffset("fmnist.train", 0, 60_000L * fit.epochs())), createdAt);
    }

    /** Untrained weights ~ N(0, sigma), b = 0: a valid but different model. */
    public static Fit random(long seed, double sigma) {
        Random rnd = new Random(seed);
        float[] w = new float[IN * OUT];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * sigma);
        }
        return new Fit(w, new float[OUT], Double.NaN, Double.NaN, Double.NaN, 0);
    }

    private static double[] logits(float[] w, float[] b, double[] x) {
        double[] z = new double[OUT];
        for (int j = 0; j < OUT; j++) {
            z[j] = b[j];
        }
        for (int i = 0; i < IN; i++) {
            if (x[i] != 0) {
                for (int j = 0; j < OUT; j++) {
                    z[j] += w[i * OUT + j] * x[i];
                }
            }
        }
        return z;
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < z.length; j++) {
            p[j] /= sum;
        }
        return p;
    }
}
