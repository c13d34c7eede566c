package dev.fmnist.ingest.images;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.Split;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A user image ready to publish: 28x28 uint8 pixels with a label, or {@link ImageBatch#UNLABELLED}
 * (images streamed to {@code fmnist.uploads} without a label header: kept, never trained on).
 *
 * @param source where it came from (archive entry, file), or "upload"
 */
public record LabelledImage(String source, int label, byte[] pixels) {
    /** Dataset id of every user image batch. */
    public static final String DATASET_ID = "user";

    public LabelledImage {
        if ((label < 0 || label >= FashionMnist.CLASSES) && label != ImageBatch.UNLABELLED) {
            throw new IllegalArgumentException("label " + label + " is not in 0-9 (or unlabelled)");
        }
        if (pixels.length != FashionMnist.PIXELS) {
            throw new IllegalArgumentException("expected " + FashionMnist.PIXELS + " pixels, got " + pixels.length);
        }
    }

    /**
     * "user-" and the first 16 hex digits of the SHA-256 over the label byte and the pixels: the
     * same image with the same label always gets the same id, so downstream can drop a re-upload.
     */
    public String batchId() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((byte) label);
            sha.update(pixels);
            return "user-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The single-image batch that goes to the train topic (split USER, open-ended: total 0). */
    public ImageBatch toBatch() {
        return new ImageBatch(DATASET_ID, batchId(), Split.USER, 0, 0, FashionMnist.ROWS, FashionMnist.COLS,
                new byte[]{(byte) label}, pixels.clone());
    }

    public String labelName() {
        return label == ImageBatch.UNLABELLED ? "unlabelled" : FashionMnist.label(label);
    }
}
