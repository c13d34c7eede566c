package dev.fmnist.console.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.contracts.image.ImageConverter;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class QualityEvaluatorTest {
    private static final int P = FashionMnist.PIXELS;
    private static final int C = FashionMnist.CLASSES;

    /**
     * A hand-made model: pixel 0 votes for class 0, pixel 1 for class 1, pixel 2 for class 2
     * (weight 255 * 10, so one lit pixel decides with near certainty); an image lights one pixel.
     */
    private static float[] votingWeights() {
        float[] w = new float[P * C];
        for (int k = 0; k < 3; k++) {
            w[k * C + k] = 2550f;
        }
        return w;
    }

    /** Images lighting pixel {@code lit[i]} (full, 255) with the true labels given. */
    private static TestSet images(int[] lit, int[] truth) {
        byte[] px = new byte[lit.length * P];
        byte[] labels = new byte[lit.length];
        for (int i = 0; i < lit.length; i++) {
            px[i * P + lit[i]] = (byte) 255;
            labels[i] = (byte) truth[i];
        }
        return new TestSet("toy", lit.length, labels, px);
    }

    @Test
    void confusionPrecisionRecallOnAHandExample() {
        // predicted: 0 0 1 1 2 2 ; true: 0 1 1 1 2 0
        TestSet t = images(new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 2, 0});
        ModelQuality q = QualityEvaluator.evaluate(7, Network.softmax(votingWeights(), new float[C]), t, 10);

        assertEquals(7, q.modelVersion());
        assertEquals(6, q.total());
        assertEquals(4, q.correct());
        assertEquals(4.0 / 6, q.accuracy(), 1e-12);
        int[][] expected = new int[C][C];
        expected[0][0] = 1;
        expected[0][2] = 1;
        expected[1][0] = 1;
        expected[1][1] = 2;
        expected[2][2] = 1;
        for (int k = 0; k < C; k++) {
            assertArrayEquals(expected[k], q.confusion()[k], "row " + k);
        }
        assertEquals(6, Arrays.stream(q.confusion()).flatMapToInt(Arrays::stream).sum());
        // precision per predicted class: 0 -> 1/2, 1 -> 2/2, 2 -> 1/2; recall per true class: 0 -> 1/2, 1 -> 2/3, 2 -> 1/1
        assertEquals(0.5, q.precision()[0], 1e-12);
        assertEquals(1.0, q.precision()[1], 1e-12);
        assertEquals(0.5, q.precision()[2], 1e-12);
        assertEquals(0.5, q.recall()[0], 1e-12);
        assertEquals(2.0 / 3, q.recall()[1], 1e-12);
        assertEquals(1.0, q.recall()[2], 1e-12);
        assertNull(q.precision()[5], "never predicted");
        assertNull(q.recall()[5], "no such images");
        assertEquals(2, q.misclassified());
        assertEquals(2, q.mistakes().size());
    }

    @Test
    void galleryKeepsTheMostConfidentMistakesWithTheirImages() {
        // image 0 lights pixel 0 at 255 (very sure it is class 0), image 1 at 1 (barely): both are truly class 3
        byte[] px = new byte[2 * P];
        px[0] = (byte) 255;
        px[P] = (byte) 1;
        TestSet t = new TestSet("toy", 2, new byte[] {3, 3}, px);
        ModelQuality q = QualityEvaluator.evaluate(1, Network.softmax(votingWeights(), new float[C]), t, 1);

        assertEquals(2, q.misclassified());
        assertEquals(1, q.mistakes().size(), "only gallerySize mistakes are kept");
        ModelQuality.Mistake m = q.mistakes().get(0);
        assertEquals(0, m.index(), "the more confident mistake wins");
        assertEquals(3, m.trueClass());
        assertEquals("Dress", m.trueLabel());
        assertEquals(0, m.predictedClass());
        assertEquals(1.0, m.probability(), 1e-6);
        byte[] shown = ImageConverter.toFashionMnist(Base64.getDecoder().decode(m.png()), false);
        assertArrayEquals(Arrays.copyOfRange(px, 0, P), shown, "the thumbnail is the test image itself");
    }

    @Test
    void softmaxMatchesTheSeedOnAZeroModel() {
        // W = 0, b = 0: every class 0.1; ties go to the first class, as in the inference service
        TestSet t = images(new int[] {5}, new int[] {4});
        ModelQuality q = QualityEvaluator.evaluate(1, Network.softmax(new float[P * C], new float[C]), t, 5);
        assertEquals(1, q.confusion()[4][0]);
        assertEquals(0.1, q.mistakes().get(0).probability(), 1e-6);
        assertEquals(0.1, q.mistakes().get(0).trueProbability(), 1e-6);
    }

    @Test
    void unlabelledImagesAreNotCounted() {
        TestSet t = images(new int[] {0, 1}, new int[] {0, 255});
        ModelQuality q = QualityEvaluator.evaluate(1, Network.softmax(votingWeights(), new float[C]), t, 5);
        assertEquals(1, q.total());
        assertEquals(1.0, q.accuracy(), 1e-12);
    }

    @Test
    void scoreKeepsEveryImagesPredictionLabelledOrNot() {
        TestSet t = images(new int[] {2, 0, 1, 2}, new int[] {2, 1, 255, 0});
        QualityEvaluator.Scored s = QualityEvaluator.score(3, Network.softmax(votingWeights(), new float[C]), t, 5);
        assertArrayEquals(new byte[] {2, 0, 1, 2}, s.predictions());
        assertEquals(3, s.quality().total());
        assertEquals(1, s.quality().correct());
    }

    @Test
    void rejectsWrongShapes() {
        TestSet t = images(new int[] {0}, new int[] {0});
        assertThrows(IllegalArgumentException.class, () -> QualityEvaluator.evaluate(1, Network.softmax(new float[10], new float[C]), t, 1));
        assertThrows(IllegalArgumentException.class, () -> new TestSet("x", 2, new byte[1], new byte[P]));
    }
}
