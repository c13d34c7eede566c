package dev.fmnist.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DJL block models of the mlp and cnn families on the real data: trained briefly with their recipes, their
 * DJL forward pass and the contracts' plain-Java {@link Forward} (what inference, the console and the export
 * checks score with) agree on all 10,000 test images; parameters survive the contracts' layouts and a
 * snapshot round trip exactly; the seeded initialisation is the recipe's, every time.
 */
class BlockModelTest {
    private static final int BATCH = 256;
    private static FashionMnistData data;
    private static SampleStore train;
    private static ByteBuffer testPixels;

    @BeforeAll
    static void load() {
        SoftmaxRegression.configureThreads(1);
        data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        FashionMnistData.Split t = data.train();
        train = new SampleStore(784, t.count());
        for (int i = 0; i < t.count(); i++) {
            train.add(t.images().pixels(), i * 784, t.label(i));
        }
        byte[] test = data.test().images().pixels();
        testPixels = SoftmaxRegression.directBuffer(test.length).put(test).flip();
    }

    /** {@code steps} minibatches of the epoch-1 shuffle of the train split, at the recipe's learning rate. */
    private static double trainSteps(TrainableModel model, int steps) {
        float lr = (float) Recipe.of(model.family()).learningRate();
        int[] order = ShuffleOrder.of(train.count(), 0, 0, 1);
        double loss = 0;
        int samples = 0;
        try (Minibatch batch = new Minibatch(BATCH, 784)) {
            for (int s = 0, from = 0; s < steps && from < order.length; s++, from += BATCH) {
                int n = Math.min(BATCH, order.length - from);
                batch.fill(train, order, from, n);
                StepResult r = model.step(batch, lr);
                loss += r.lossSum();
                samples += r.count();
            }
        }
        return loss / samples;
    }

    @Test
    void mlpForwardOfDjlAndOfTheContractsAgreeOnTheWholeTestSplit() {
        parity(ModelFamily.MLP, 235, 0.70); // one epoch
    }

    @Test
    void cnnForwardOfDjlAndOfTheContractsAgreeOnTheWholeTestSplit() {
        parity(ModelFamily.CNN, 100, 0.50); // 100 steps: its steps are 30 times the mlp's
    }

    private static void parity(ModelFamily family, int steps, double minAccuracy) {
        try (BlockModel model = (BlockModel) Models.initialize(family, 0)) {
            long t0 = System.nanoTime();
            double loss = trainSteps(model, steps);
            long t1 = System.nanoTime();
            int n = data.test().count();
            float[] djl = model.probabilities(testPixels, n, 1_000);
            int djlCorrect = model.countCorrectPixels(testPixels, data.test().labels(), n, 1_000);
            Forward forward = Forward.of(model.network());
            byte[] pixels = data.test().images().pixels();
            double maxDiff = 0;
            int mismatches = 0;
            int correct = 0;
            for (int i = 0; i < n; i++) {
                float[] p = forward.probabilities(pixels, i * 784);
                float[] q = new float[10];
                System.arraycopy(djl, i * 10, q, 0, 10);
                for (int j = 0; j < 10; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(p[j] - q[j]));
                }
                int a = Forward.argmax(p);
                if (a != Forward.argmax(q)) {
                    mismatches++;
                }
                if (a == data.test().label(i)) {
                    correct++;
                }
            }
            System.out.printf(Locale.ROOT, "%s after %d steps (%.1f s, mean loss %.4f): test accuracy %.4f (DJL) %.4f"
                            + " (Forward), max |p_djl - p_forward| = %.3g, argmax mismatches %d of %d%n", family.id(),
                    steps, (t1 - t0) / 1e9, loss, (double) djlCorrect / n, (double) correct / n, maxDiff, mismatches, n);
            assertTrue(maxDiff < 1e-4, "max abs difference of probabilities " + maxDiff);
            assertEquals(0, mismatches, "images whose argmax differs");
            assertEquals(djlCorrect, correct);
            assertTrue((double) correct / n >= minAccuracy, family.id() + " learned too little: " + correct);
        }
    }

    @Test
    void seededInitialisationIsTheRecipesEveryTime() {
        for (ModelFamily family : List.of(ModelFamily.MLP, ModelFamily.CNN)) {
            Network expected = Recipe.of(family).initialNetwork(42);
            try (TrainableModel a = Models.initialize(family, 42); TrainableModel b = Models.initialize(family, 42);
                 TrainableModel other = Models.initialize(family, 43)) {
                assertSame(expected, a.network());
                assertSame(expected, b.network());
                assertNotEquals(expected.tensors().values().iterator().next()[0],
                        other.network().tensors().values().iterator().next()[0]);
            }
        }
    }

    @Test
    void softmaxRecipeDrawsTheSeedsNumbers() {
        try (TrainableModel seed = Models.initialize(ModelFamily.SOFTMAX, 5)) {
            assertSame(Recipe.of(ModelFamily.SOFTMAX).initialNetwork(5), seed.network());
        }
    }

    @Test
    void aSnapshotResumesToTheSameParameters() {
        for (ModelFamily family : List.of(ModelFamily.MLP, ModelFamily.CNN)) {
            try (TrainableModel model = Models.initialize(family, 3)) {
                trainSteps(model, 5);
                Network trained = model.network();
                WeightSnapshot snapshot = new WeightSnapshot(family.modelName(), 1, 0, 5, trained,
                        new WeightSnapshot.Hyperparameters(0.1, BATCH, 3), WeightSnapshot.Metrics.UNMEASURED,
                        List.of(), Instant.now(), WeightSnapshot.Plan.NONE);
                WeightSnapshot decoded = WeightSnapshotCodec.decode(WeightSnapshotCodec.encode(snapshot));
                try (TrainableModel resumed = Models.of(decoded.network())) {
                    assertEquals(family, resumed.family());
                    assertSame(trained, resumed.network());
                    int n = 500;
                    assertEquals(model.countCorrectPixels(testPixels, data.test().labels(), n, 100),
                            resumed.countCorrectPixels(testPixels, data.test().labels(), n, 100));
                }
            }
        }
    }

    @Test
    void stepsKeepNoArraysBeyondTheParameters() {
        try (BlockModel model = (BlockModel) Models.initialize(ModelFamily.CNN, 1)) {
            trainSteps(model, 2);
            model.countCorrectPixels(testPixels, data.test().labels(), 300, 100);
            int held = model.heldArrays();
            trainSteps(model, 10);
            model.countCorrectPixels(testPixels, data.test().labels(), 300, 100);
            assertEquals(held, model.heldArrays());
        }
    }

    private static void assertSame(Network expected, Network actual) {
        assertEquals(expected.architecture(), actual.architecture());
        for (Map.Entry<String, float[]> e : expected.tensors().entrySet()) {
            assertArrayEquals(e.getValue(), actual.tensor(e.getKey()), e.getKey());
        }
    }
}
