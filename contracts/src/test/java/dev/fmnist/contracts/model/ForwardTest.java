package dev.fmnist.contracts.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Forward} against a reference written from the layer definitions alone, in double precision
 * and without any of Forward's shortcuts (folded scaling, zero skipping, scratch reuse).
 */
class ForwardTest {

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void matchesTheReferenceForwardPass(ModelFamily family) {
        Network net = Networks.random(family.architecture(), 11);
        Forward forward = Forward.of(net);
        Random r = new Random(5);
        double worst = 0;
        for (int n = 0; n < 50; n++) {
            byte[] px = Networks.image(r);
            float[] p = forward.probabilities(px, 0);
            double[] ref = reference(net, px);
            for (int j = 0; j < 10; j++) {
                worst = Math.max(worst, Math.abs(p[j] - ref[j]));
            }
            assertEquals(argmax(ref), Forward.argmax(p));
        }
        assertTrue(worst < 1e-5, family + ": max abs difference " + worst);
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void floatInputGivesTheBytePathsResultExactly(ModelFamily family) {
        Forward forward = Forward.of(Networks.random(family.architecture(), 3));
        byte[] px = Networks.image(new Random(9));
        float[] asFloats = new float[784 + 3];
        for (int i = 0; i < 784; i++) {
            asFloats[3 + i] = px[i] & 0xFF;
        }
        assertArrayEquals(forward.probabilities(px, 0), forward.probabilities(asFloats, 3));
    }

    @Test
    void probabilitiesSumToOneAndExtremeLogitsStayFinite() {
        float[] p = Forward.softmax(new float[] {1e30f, 0, -1e30f, 5, 5, 5, 5, 5, 5, 5});
        assertEquals(1f, p[0]);
        float sum = 0;
        for (float v : p) {
            assertTrue(Float.isFinite(v));
            sum += v;
        }
        assertEquals(1f, sum, 1e-6);
    }

    @Test
    void threadsScoringDifferentModelsDoNotShareActivations() throws Exception {
        Forward cnn = Forward.of(Networks.random(ModelFamily.CNN.architecture(), 1));
        Forward mlp = Forward.of(Networks.random(ModelFamily.MLP.architecture(), 2));
        byte[][] images = new byte[200][];
        Random r = new Random(4);
        for (int i = 0; i < images.length; i++) {
            images[i] = Networks.image(r);
        }
        float[][] cnnAlone = new float[images.length][];
        float[][] mlpAlone = new float[images.length][];
        for (int i = 0; i < images.length; i++) {
            cnnAlone[i] = cnn.probabilities(images[i], 0);
            mlpAlone[i] = mlp.probabilities(images[i], 0);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean useCnn = t % 2 == 0;
                done.add(pool.submit(() -> {
                    for (int rep = 0; rep < 5; rep++) {
                        for (int i = 0; i < images.length; i++) {
                            float[] p = (useCnn ? cnn : mlp).probabilities(images[i], 0);
                            assertArrayEquals(useCnn ? cnnAlone[i] : mlpAlone[i], p);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void architecturesRefuseLayersThatDoNotFit() {
        String e = assertThrows(IllegalArgumentException.class, () -> new Architecture(ModelFamily.MLP,
                List.of(new Layer.Dense("W1", "b1", 783, 10)))).getMessage();
        assertTrue(e.contains("expects 783 inputs"), e);
        e = assertThrows(IllegalArgumentException.class, () -> new Architecture(ModelFamily.MLP,
                List.of(new Layer.Dense("W1", "b1", 784, 12)))).getMessage();
        assertTrue(e.contains("expected [10] class logits"), e);
        e = assertThrows(IllegalArgumentException.class, () -> new Architecture(ModelFamily.CNN,
                List.of(new Layer.Conv("c", "d", 1, 1000, 15, 14), new Layer.Dense("W", "b", 1000 * 42 * 42, 10))))
                .getMessage();
        assertTrue(e.contains("dense inputs") || e.contains("exceed the limit"), e);
        e = assertThrows(IllegalArgumentException.class, () -> new Architecture(ModelFamily.MLP,
                List.of(new Layer.Dense("W", "b", 784, 10), new Layer.Dense("W", "b", 10, 10)))).getMessage();
        assertTrue(e.contains("used twice"), e);
    }

    @Test
    void familiesParseByIdOrModelName() {
        assertEquals(ModelFamily.CNN, ModelFamily.parse("cnn"));
        assertEquals(ModelFamily.CNN, ModelFamily.parse(" FMNIST-CNN "));
        assertEquals("fmnist-softmax", ModelFamily.SOFTMAX.modelName());
        String e = assertThrows(IllegalArgumentException.class, () -> ModelFamily.parse("resnet")).getMessage();
        assertTrue(e.contains("[softmax, mlp, cnn]"), e);
        assertEquals(7850, ModelFamily.SOFTMAX.architecture().parameterCount());
        assertEquals(203_530, ModelFamily.MLP.architecture().parameterCount());
    }

    // ---- the reference: each layer as its definition reads, in doubles

    private static double[] reference(Network net, byte[] px) {
        double[] x = new double[784];
        for (int i = 0; i < 784; i++) {
            x[i] = (px[i] & 0xFF) / 255.0;
        }
        int[] shape = {1, 28, 28};
        for (Layer layer : net.architecture().layers()) {
            int[] out = layer.outputShape(shape);
            if (layer instanceof Layer.Dense d) {
                float[] w = net.tensor(d.weight());
                float[] b = net.tensor(d.bias());
                double[] y = new double[d.out()];
                for (int j = 0; j < d.out(); j++) {
                    double a = b[j];
                    for (int i = 0; i < d.in(); i++) {
                        a += x[i] * w[i * d.out() + j];
                    }
                    y[j] = a;
                }
                x = y;
            } else if (layer instanceof Layer.Conv c) {
                float[] w = net.tensor(c.weight());
                float[] b = net.tensor(c.bias());
                int h = shape[1];
                int wd = shape[2];
                double[] y = new double[out[0] * out[1] * out[2]];
                for (int o = 0; o < out[0]; o++) {
                    for (int oy = 0; oy < out[1]; oy++) {
                        for (int ox = 0; ox < out[2]; ox++) {
                            double a = b[o];
                            for (int ci = 0; ci < c.inChannels(); ci++) {
                                for (int ky = 0; ky < c.kernel(); ky++) {
                                    for (int kx = 0; kx < c.kernel(); kx++) {
                                        int iy = oy + ky - c.padding();
                                        int ix = ox + kx - c.padding();
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                            a += x[(ci * h + iy) * wd + ix]
                                                    * w[((o * c.inChannels() + ci) * c.kernel() + ky) * c.kernel() + kx];
                                        }
                                    }
                                }
                            }
                            y[(o * out[1] + oy) * out[2] + ox] = a;
                        }
                    }
                }
                x = y;
            } else if (layer instanceof Layer.MaxPool p) {
                double[] y = new double[out[0] * out[1] * out[2]];
                for (int ch = 0; ch < out[0]; ch++) {
                    for (int oy = 0; oy < out[1]; oy++) {
                        for (int ox = 0; ox < out[2]; ox++) {
                            double m = Double.NEGATIVE_INFINITY;
                            for (int dy = 0; dy < p.size(); dy++) {
                                for (int dx = 0; dx < p.size(); dx++) {
                                    m = Math.max(m, x[(ch * shape[1] + oy * p.size() + dy) * shape[2] + ox * p.size() + dx]);
                                }
                            }
                            y[(ch * out[1] + oy) * out[2] + ox] = m;
                        }
                    }
                }
                x = y;
            } else if (layer == Layer.Relu.INSTANCE) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = Math.max(0, x[i]);
                }
            }
            shape = out;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            p[j] = Math.exp(x[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < p.length; j++) {
            p[j] /= sum;
        }
        return p;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }
}
