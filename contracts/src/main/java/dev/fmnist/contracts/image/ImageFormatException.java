package dev.fmnist.contracts.image;

/** An uploaded image cannot be used; the message says why, for a 4xx answer or a dead letter. */
public class ImageFormatException extends RuntimeException {
    private final boolean tooLarge;

    public ImageFormatException(String message, boolean tooLarge) {
        super(message);
        this.tooLarge = tooLarge;
    }

    public ImageFormatException(String message) {
        this(message, false);
    }

    /** True when the image was refused for its size (HTTP 413) rather than its content. */
    public boolean tooLarge() {
        return tooLarge;
    }
}
