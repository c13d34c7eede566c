package dev.fmnist.console.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageConverter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DisagreementTest {
    /** Six images with labels 0 1 2 3 4 and one unlabelled (255); image i has pixel i lit, so examples can be told apart. */
    private static TestSet six() {
        byte[] px = new byte[6 * FashionMnist.PIXELS];
        for (int i = 0; i < 6; i++) {
            px[i * FashionMnist.PIXELS + i] = (byte) (10 + i);
        }
        return new TestSet("toy", 6, new byte[] {0, 1, 2, 3, 4, (byte) 255}, px);
    }

    @Test
    void countsImagesPairsAndWhoIsRight() {
        // truth:  0 1 2 3 4 -
        // a:      0 1 2 9 4 7   (right on 0,1,2,4)
        // b:      0 5 2 3 4 7   (right on 0,2,3,4)
        // c:      0 1 8 3 4 6   (right on 0,1,3,4)
        Disagreement.Model a = new Disagreement.Model("fmnist-softmax", 10, new byte[] {0, 1, 2, 9, 4, 7});
        Disagreement.Model b = new Disagreement.Model("fmnist-mlp", 3, new byte[] {0, 5, 2, 3, 4, 7});
        Disagreement.Model c = new Disagreement.Model("fmnist-cnn", 4, new byte[] {0, 1, 8, 3, 4, 6});
        Disagreement d = Disagreement.of(List.of(a, b, c), six(), 2);

        assertEquals(List.of("fmnist-softmax", "fmnist-mlp", "fmnist-cnn"), d.models());
        assertEquals(List.of(10L, 3L, 4L), d.versions());
        assertEquals(6, d.total());
        assertEquals(4, d.disagree(), "images 1, 2, 3 and 5");
        assertEquals(List.of(
                new Disagreement.Pair("fmnist-softmax", "fmnist-mlp", 2, 1, 1),   // image 1: a right; image 3: b right
                new Disagreement.Pair("fmnist-softmax", "fmnist-cnn", 3, 1, 1),   // 2: a; 3: c; 5: unlabelled, nobody
                new Disagreement.Pair("fmnist-mlp", "fmnist-cnn", 3, 1, 1)), d.pairs()); // 1: c; 2: b; 5: nobody

        assertEquals(2, d.examples().size(), "the first two, in test-set order");
        Disagreement.Example first = d.examples().get(0);
        assertEquals(1, first.index());
        assertEquals(FashionMnist.label(1), first.trueLabel());
        assertEquals(Map.of("fmnist-softmax", FashionMnist.label(1), "fmnist-mlp", FashionMnist.label(5),
                "fmnist-cnn", FashionMnist.label(1)), first.predicted());
        byte[] shown = ImageConverter.toFashionMnist(Base64.getDecoder().decode(first.png()), false);
        assertEquals(11, shown[1] & 0xFF, "the example's thumbnail is image 1");
        assertEquals(2, d.examples().get(1).index());

        Disagreement all = Disagreement.of(List.of(a, b, c), six(), 10);
        assertEquals(4, all.examples().size());
        assertNull(all.examples().get(3).trueLabel(), "image 5 is unlabelled");
    }

    @Test
    void modelsThatAgreeEverywhereHaveNothingToShow() {
        byte[] same = {0, 1, 2, 3, 4, 5};
        Disagreement d = Disagreement.of(List.of(new Disagreement.Model("x", 1, same),
                new Disagreement.Model("y", 1, same.clone())), six(), 5);
        assertEquals(0, d.disagree());
        assertEquals(List.of(new Disagreement.Pair("x", "y", 0, 0, 0)), d.pairs());
        assertEquals(List.of(), d.examples());
    }

    @Test
    void refusesOneModelAndPredictionsOfAnotherSplit() {
        Disagreement.Model a = new Disagreement.Model("x", 1, new byte[6]);
        assertThrows(IllegalArgumentException.class, () -> Disagreement.of(List.of(a), six(), 1));
        assertThrows(IllegalArgumentException.class,
                () -> Disagreement.of(List.of(a, new Disagreement.Model("y", 1, new byte[5])), six(), 1));
    }
}
