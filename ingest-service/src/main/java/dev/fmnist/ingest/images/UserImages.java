package dev.fmnist.ingest.images;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.image.ImageFormatException;
import dev.fmnist.support.rest.Flags;
import dev.fmnist.support.rest.InvalidFlagException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The checks of an upload, before anything is published: size limits, label, image decoding.
 * Every refusal is a {@link RejectedInputException} with its reason.
 */
public final class UserImages {
    private UserImages() {
    }

    /** One PNG/JPEG and its label (index or class name). */
    public static LabelledImage single(InputStream body, String label, boolean invert, UploadLimits limits, String source,
                                       ImageDecoder decoder) {
        byte[] bytes = read(body, limits.maxImageBytes(), "image", "fmnist.ingest.upload.max-bytes");
        int labelIndex = parseLabel(label);
        try {
            return new LabelledImage(source, labelIndex, decoder.toFashionMnist(bytes, invert));
        } catch (ImageFormatException e) {
            throw new RejectedInputException(e.tooLarge() ? RejectReason.TOO_LARGE : RejectReason.BAD_IMAGE, e.getMessage());
        }
    }

    /**
     * One record of {@code fmnist.uploads}: a PNG/JPEG, or exactly 784 raw bytes (row-major 28x28,
     * light on dark), with the checks and conversion of a REST upload. {@code label} may be null
     * (unlabelled); {@code invert} is the header's text ({@code true}/{@code false} in any case, null = false).
     */
    public static LabelledImage fromRecord(byte[] value, String label, String invert, UploadLimits limits, String source,
                                           ImageDecoder decoder) {
        if (value == null || value.length == 0) {
            throw new RejectedInputException(RejectReason.BAD_IMAGE, "empty record value: send a PNG/JPEG or 784 raw bytes");
        }
        if (value.length > limits.maxImageBytes()) {
            throw new RejectedInputException(RejectReason.TOO_LARGE, "image of " + value.length
                    + " bytes is larger than the limit of " + limits.maxImageBytes() + " bytes (fmnist.ingest.upload.max-bytes)");
        }
        boolean inverted = parseInvert(invert);
        int labelIndex = label == null ? dev.fmnist.contracts.ImageBatch.UNLABELLED : parseLabel(label);
        if (value.length == FashionMnist.PIXELS && !encoded(value)) {
            byte[] pixels = value.clone();
            if (inverted) {
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (byte) (255 - (pixels[i] & 0xFF));
                }
            }
            return new LabelledImage(source, labelIndex, pixels);
        }
        try {
            return new LabelledImage(source, labelIndex, decoder.toFashionMnist(value, inverted));
        } catch (ImageFormatException e) {
            throw new RejectedInputException(e.tooLarge() ? RejectReason.TOO_LARGE : RejectReason.BAD_IMAGE, e.getMessage());
        }
    }

    /** PNG or JPEG by its signature: a 784-byte value that starts like one is decoded, not taken raw. */
    private static boolean encoded(byte[] v) {
        boolean png = v.length >= 8 && (v[0] & 0xFF) == 0x89 && v[1] == 'P' && v[2] == 'N' && v[3] == 'G';
        boolean jpeg = v.length >= 3 && (v[0] & 0xFF) == 0xFF && (v[1] & 0xFF) == 0xD8 && (v[2] & 0xFF) == 0xFF;
        return png || jpeg;
    }

    /** The header by the services' one flag rule ({@link Flags}); a bad value dead-letters the record. */
    private static boolean parseInvert(String invert) {
        try {
            return Flags.parse("header " + dev.fmnist.contracts.Topics.UPLOAD_INVERT_HEADER, invert, false);
        } catch (InvalidFlagException e) {
            throw new RejectedInputException(RejectReason.BAD_IMAGE, e.getMessage());
        }
    }

    /**
     * A zip of class-named folders: every entry is checked; one bad entry rejects the whole zip. The
     * body is streamed: each entry is converted as it is inflated, so memory holds one entry and
     * 784 bytes per image, never the zip.
     */
    public static List<LabelledImage> archive(InputStream body, boolean invert, UploadLimits limits, ImageDecoder decoder) {
        if (body == null) {
            throw new RejectedInputException(RejectReason.BAD_ARCHIVE, "empty request body: send the zip");
        }
        try (body) {
            return ImageEntries.convertZip(body, invert, limits, decoder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    public static int parseLabel(String label) {
        try {
            return FashionMnist.parseLabel(label);
        } catch (IllegalArgumentException e) {
            throw new RejectedInputException(RejectReason.BAD_LABEL, e.getMessage());
        }
    }

    private static byte[] read(InputStream body, long max, String what, String property) {
        RejectReason empty = RejectReason.BAD_IMAGE;
        if (body == null) {
            throw new RejectedInputException(empty, "empty request body: send the " + what);
        }
        try (body) {
            byte[] bytes = ImageEntries.readAtMost(body, max);
            if (bytes == null) {
                throw new RejectedInputException(RejectReason.TOO_LARGE, what + " is larger than the limit of " + max
                        + " bytes (" + property + ")");
            }
            if (bytes.length == 0) {
                throw new RejectedInputException(empty, "empty request body: send the " + what);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }
}
