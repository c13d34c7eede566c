package dev.fmnist.contracts.image;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The image conversion a service uses: {@link ImageConverter} with a per-image limit on decoded bytes
 * and a {@link DecodeBudget} shared by every concurrent decode of the process. One instance per
 * service, built from its configuration.
 */
public final class ImageDecoder {
    /** Share of the max heap the decode budget gets when {@link Limits#decodeBudgetBytes()} is unset. */
    static final double DEFAULT_HEAP_FRACTION = 0.25;

    private final long maxDecodedBytes;
    private final DecodeBudget budget;
    private final Duration wait;

    /**
     * @param maxDecodedBytes largest {@link ImageHeader#decodedBytes()} accepted; an image that would
     *                        not fit in the whole budget is refused as too large as well
     * @param budget          shared by all decodes of the process
     * @param wait            how long a decode waits for budget before giving up as busy
     */
    public ImageDecoder(long maxDecodedBytes, DecodeBudget budget, Duration wait) {
        if (maxDecodedBytes < 1) {
            throw new IllegalArgumentException("max decoded bytes must be positive, not " + maxDecodedBytes);
        }
        if (wait.isNegative()) {
            throw new IllegalArgumentException("decode wait must not be negative: " + wait);
        }
        this.maxDecodedBytes = maxDecodedBytes;
        this.budget = budget;
        this.wait = wait;
    }

    /** The decoder a service's {@code limits} describe; the budget is a quarter of the max heap unless configured. */
    public static ImageDecoder of(Limits limits) {
        DecodeBudget budget = limits.decodeBudgetBytes().isPresent()
                ? new DecodeBudget(limits.decodeBudgetBytes().getAsLong())
                : DecodeBudget.ofHeap(DEFAULT_HEAP_FRACTION);
        return new ImageDecoder(limits.maxDecodedBytes(), budget, limits.decodeWait());
    }

    /** A service's decode settings, as its typed configuration holds them. */
    public interface Limits {
        /** Largest {@link ImageHeader#decodedBytes()} accepted (413 above). */
        long maxDecodedBytes();

        /** Bytes all concurrent decodes of the process may hold together; empty for a quarter of the max heap. */
        OptionalLong decodeBudgetBytes();

        /** How long a decode waits for room in the budget before giving up as busy. */
        Duration decodeWait();
    }

    /**
     * A PNG or JPEG as 784 Fashion-MNIST pixels.
     *
     * @throws ImageFormatException not a usable PNG/JPEG, or (tooLarge) over the decoded-bytes limit
     * @throws DecodeBusyException  the budget stayed spent by other decodes for the whole wait
     */
    public byte[] toFashionMnist(byte[] encoded, boolean invert) {
        return ImageConverter.convert(encoded, ImageConverter.header(encoded), invert, maxDecodedBytes, budget, wait);
    }

    public long maxDecodedBytes() {
        return maxDecodedBytes;
    }

    public DecodeBudget budget() {
        return budget;
    }
}
