package dev.fmnist.ingest.images;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.image.ImageFormatException;
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
