package dev.fmnist.inference.service;

import dev.fmnist.contracts.FashionMnist;

/**
 * Images to score together, already checked: {@code count} consecutive 784-byte blocks of pixels
 * 0-255, and one optional true label per image (null entries where unknown).
 */
public record PixelBatch(byte[] pixels, int count, Integer[] labels) {
    public PixelBatch {
        if (count < 1 || pixels.length != count * FashionMnist.PIXELS || labels.length != count) {
            throw new IllegalArgumentException(pixels.length + " bytes and " + labels.length + " labels for "
                    + count + " images");
        }
    }
}
