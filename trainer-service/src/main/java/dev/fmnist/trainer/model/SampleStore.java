package dev.fmnist.trainer.model;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Labelled uint8 images in one growable byte array, image after image, with one label byte each.
 * One epoch's worth of training data (or the test set) lives here; the arrays are reused across
 * epochs so a replay allocates nothing once the first epoch has sized them.
 */
public final class SampleStore {
    private final int imageSize;
    private byte[] pixels;
    private byte[] labels;
    private int count;

    public SampleStore(int imageSize, int initialCapacity) {
        if (imageSize < 1) {
            throw new IllegalArgumentException("image size must be positive");
        }
        this.imageSize = imageSize;
        int capacity = Math.max(1, initialCapacity);
        this.pixels = new byte[Math.multiplyExact(capacity, imageSize)];
        this.labels = new byte[capacity];
    }

    public void clear() {
        count = 0;
    }

    public int count() {
        return count;
    }

    public int imageSize() {
        return imageSize;
    }

    /** Label of sample i (0-9). */
    public int label(int i) {
        return Byte.toUnsignedInt(labels[i]);
    }

    /** The pixels, image after image; valid up to {@code count() * imageSize()}. Read only. */
    byte[] pixels() {
        return pixels;
    }

    /** The label bytes; valid up to {@link #count()}. */
    public byte[] labels() {
        return labels;
    }

    /** Appends one image taken from {@code source} at {@code offset} with its label. */
    public void add(byte[] source, int offset, int label) {
        ensureCapacity(count + 1);
        System.arraycopy(source, offset, pixels, count * imageSize, imageSize);
        labels[count] = (byte) label;
        count++;
    }

    /** Copies sample i's pixels into {@code target} at its position. */
    public void copyPixels(int i, ByteBuffer target) {
        target.put(pixels, i * imageSize, imageSize);
    }

    /** Copies every sample's pixels, in order, into {@code target}. */
    public void copyAllPixels(ByteBuffer target) {
        target.put(pixels, 0, count * imageSize);
    }

    private void ensureCapacity(int needed) {
        if (needed > labels.length) {
            int capacity = Math.max(needed, labels.length + (labels.length >> 1) + 1);
            labels = Arrays.copyOf(labels, capacity);
            pixels = Arrays.copyOf(pixels, Math.multiplyExact(capacity, imageSize));
        }
    }
}
