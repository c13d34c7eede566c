package dev.fmnist.trainer.model;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled uint8 images, image after image, with one label byte each, in fixed-size chunks of
 * {@value #CHUNK_IMAGES} images. Growing adds a chunk and never copies what is held: a store past
 * its first size (user images appended to the 60,000 of Fashion-MNIST) needs one more chunk (784 KB),
 * not a second, 1.5 times larger array beside the first (47 MB + 70 MB at once, which exhausted the
 * trainer's heap on the first run after an upload). The chunks are reused across epochs, so a replay
 * allocates nothing once the first epoch has sized them.
 */
public final class SampleStore {
    /** Images per chunk: 784 KB of 28x28 pixels. */
    static final int CHUNK_IMAGES = 1024;
    private final int imageSize;
    private final long maxBytes;
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<byte[]> labelChunks = new ArrayList<>();
    private int count;

    /** @param initialCapacity images to make room for at once (chunks are added as needed beyond it) */
    public SampleStore(int imageSize, int initialCapacity) {
        this(imageSize, initialCapacity, Long.MAX_VALUE);
    }

    /**
     * @param initialCapacity images to make room for at once (chunks are added as needed beyond it)
     * @param maxBytes        the most the store may hold (pixels and labels): an image past it is refused
     *                        with {@link StoreFullException} instead of exhausting the heap
     */
    public SampleStore(int imageSize, int initialCapacity, long maxBytes) {
        if (imageSize < 1) {
            throw new IllegalArgumentException("image size must be positive");
        }
        this.imageSize = imageSize;
        this.maxBytes = maxBytes;
        ensureCapacity(Math.max(1, initialCapacity));
    }

    /** The store cannot take another image without going past its bound. */
    public static final class StoreFullException extends IllegalStateException {
        StoreFullException(String message) {
            super(message);
        }
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
        return Byte.toUnsignedInt(labelChunks.get(i / CHUNK_IMAGES)[i % CHUNK_IMAGES]);
    }

    /** The chunk that holds sample i's pixels (at {@link #offset(int)}). Read only. */
    byte[] chunk(int i) {
        return chunks.get(i / CHUNK_IMAGES);
    }

    /** Where sample i's pixels start in {@link #chunk(int)}. */
    int offset(int i) {
        return (i % CHUNK_IMAGES) * imageSize;
    }

    /** The labels of samples {@code 0..count()}, as one array (a copy). */
    public byte[] labels() {
        byte[] all = new byte[count];
        for (int c = 0, at = 0; at < count; c++, at += CHUNK_IMAGES) {
            System.arraycopy(labelChunks.get(c), 0, all, at, Math.min(CHUNK_IMAGES, count - at));
        }
        return all;
    }

    /** Appends one image taken from {@code source} at {@code offset} with its label. */
    public void add(byte[] source, int offset, int label) {
        ensureCapacity(count + 1);
        System.arraycopy(source, offset, chunk(count), offset(count), imageSize);
        labelChunks.get(count / CHUNK_IMAGES)[count % CHUNK_IMAGES] = (byte) label;
        count++;
    }

    /** Copies sample i's pixels into {@code target} at its position. */
    public void copyPixels(int i, ByteBuffer target) {
        target.put(chunk(i), offset(i), imageSize);
    }

    /** Copies every sample's pixels, in order, into {@code target}. */
    public void copyAllPixels(ByteBuffer target) {
        for (int c = 0, at = 0; at < count; c++, at += CHUNK_IMAGES) {
            target.put(chunks.get(c), 0, Math.min(CHUNK_IMAGES, count - at) * imageSize);
        }
    }

    /** Bytes held (pixels and labels), for the heap's accounting. */
    public long capacityBytes() {
        return (long) chunks.size() * CHUNK_IMAGES * (imageSize + 1L);
    }

    private void ensureCapacity(int needed) {
        while ((long) chunks.size() * CHUNK_IMAGES < needed) {
            long after = capacityBytes() + CHUNK_IMAGES * (imageSize + 1L);
            if (after > maxBytes) {
                throw new StoreFullException(String.format(java.util.Locale.ROOT,
                        "%d images of %d pixels need %.0f MB, more than the %.0f MB this process may hold (a share of"
                        + " its heap): give it a larger heap (-Xmx)", needed, imageSize, after / 1e6, maxBytes / 1e6));
            }
            chunks.add(new byte[Math.multiplyExact(CHUNK_IMAGES, imageSize)]);
            labelChunks.add(new byte[CHUNK_IMAGES]);
        }
    }
}
