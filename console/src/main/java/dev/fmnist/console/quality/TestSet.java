package dev.fmnist.console.quality;

import dev.fmnist.contracts.FashionMnist;

/**
 * Test images in a fixed order: {@code count} labels and {@code count * 784} pixels, image after
 * image, as published (0 = background).
 */
public record TestSet(String datasetId, int count, byte[] labels, byte[] pixels) {
    public TestSet {
        if (labels.length != count || pixels.length != (long) count * FashionMnist.PIXELS) {
            throw new IllegalArgumentException("test set of " + count + " images needs " + count + " labels and "
                    + (long) count * FashionMnist.PIXELS + " pixels, got " + labels.length + " and " + pixels.length);
        }
    }

    public int label(int i) {
        return Byte.toUnsignedInt(labels[i]);
    }
}
