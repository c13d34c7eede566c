package dev.fmnist.contracts.image;

import java.time.Duration;

/**
 * The image conversion a service uses: {@link ImageConverter} with a per-image limit on decoded bytes
 * and a {@link DecodeBudget} shared by every concurrent decode of the process. One instance per
 * service, built from its configuration.
 */
public final class ImageDecoder {
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
