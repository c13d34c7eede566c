package dev.fmnist.inference.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.support.SoftmaxFit;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The single-image and batch paths agree exactly on all 10,000 test images, and with a double reference. */
class ScoringParityTest {
    private static FashionMnistData data;
    private static SoftmaxFit.Fit fit;
    private static LoadedModel model;

    @BeforeAll
    static void setUp() {
        data = SoftmaxFit.data();
        fit = SoftmaxFit.fit(data, 10_000, 1, 7);
        model = LoadedModel.of(SoftmaxFit.snapshot("m", 1, fit, Instant.now()), Instant.now());
    }

    @Test
    void singleAndBatchGiveTheSameProbabilitiesOnAllTestImages() {
        byte[] px = data.test().images().pixels();
        int n = data.test().count();
        assertEquals(10_000, n);
        float[][] batch = BatchScorer.score(model, px, n);
        double worst = 0;
        int sameArgmax = 0;
        for (int k = 0; k < n; k++) {
            float[] single = Scorer.score(model, px, k * FashionMnist.PIXELS);
            for (int j = 0; j < FashionMnist.CLASSES; j++) {
                worst = Math.max(worst, Math.abs(single[j] - batch[k][j]));
            }
            if (Scorer.argmax(single) == Scorer.argmax(batch[k])) {
                sameArgmax++;
            }
        }
        assertEquals(0.0, worst, "max |p_single - p_batch|");
        assertEquals(n, sameArgmax);
    }

    @Test
    void javaPathMatchesADoublePrecisionReference() {
        byte[] px = data.test().images().pixels();
        double worst = 0;
        for (int k = 0; k < 2_000; k++) {
            float[] p = Scorer.score(model, px, k * FashionMnist.PIXELS);
            double[] ref = SoftmaxFit.probabilities(fit.w(), fit.b(), px, k * FashionMnist.PIXELS);
            double sum = 0;
            for (int j = 0; j < FashionMnist.CLASSES; j++) {
                worst = Math.max(worst, Math.abs(p[j] - ref[j]));
                sum += p[j];
            }
            assertEquals(1.0, sum, 1e-5);
        }
        assertTrue(worst <= 1e-5, "max |p_java - p_ref| = " + worst);
    }

    @Test
    void softmaxIsStableForHugeLogits() {
        float[] p = dev.fmnist.contracts.model.Forward.softmax(new float[] {1e30f, 0, -1e30f, 5, 5, 5, 5, 5, 5, 5});
        assertTrue(Arrays.stream(new double[] {p[0], p[1], p[2]}).allMatch(Double::isFinite));
        assertEquals(1f, p[0], 0f);
        assertEquals(0f, p[2], 0f);
    }
}
