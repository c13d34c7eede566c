package dev.fmnist.inference.watch.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageFeatureTest {
    private static double[] measure(byte[] image) {
        byte[] padded = new byte[784 + 5];
        System.arraycopy(image, 0, padded, 5, 784);
        double[] atOffset = ImageFeature.measure(padded, 5);
        assertArrayEquals(ImageFeature.measure(image, 0), atOffset, "the offset is honoured");
        return atOffset;
    }

    @Test
    void blackWhiteAndAnObjectInTheMiddle() {
        assertArrayEquals(new double[] {0, 0, 0, 0}, measure(new byte[784]));
        byte[] white = new byte[784];
        Arrays.fill(white, (byte) 255);
        assertArrayEquals(new double[] {255, 0, 1, 255}, measure(white));
        // a 14x14 square of 200 in the middle: nothing on the 2-pixel ring
        byte[] square = new byte[784];
        for (int r = 7; r < 21; r++) {
            Arrays.fill(square, r * 28 + 7, r * 28 + 21, (byte) 200);
        }
        double mean = 200 * 196 / 784.0;
        double std = Math.sqrt(200.0 * 200 * 196 / 784 - mean * mean);
        assertArrayEquals(new double[] {mean, std, 196 / 784.0, 0}, measure(square), 1e-12);
        // its inverse: bright everywhere but the square, the whole ring at 255
        byte[] inverse = new byte[784];
        for (int i = 0; i < 784; i++) {
            inverse[i] = (byte) (255 - (square[i] & 0xFF));
        }
        double[] v = measure(inverse);
        assertArrayEquals(new double[] {255 - mean, std, 588 / 784.0, 255}, v, 1e-9);
    }

    @Test
    void theRingIsTheOuterTwoPixels() {
        byte[] ring = new byte[784];
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                if (r < 2 || r > 25 || c < 2 || c > 25) {
                    ring[r * 28 + c] = (byte) 100;
                }
            }
        }
        double[] v = measure(ring);
        assertArrayEquals(new double[] {100 * 208 / 784.0, 0, 100}, new double[] {v[0], v[2], v[3]}, 1e-12);
    }
}
