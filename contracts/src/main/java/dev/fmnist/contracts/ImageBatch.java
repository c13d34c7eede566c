package dev.fmnist.contracts;

import java.util.Objects;

/**
 * A batch of labelled (or unlabelled) images as it travels on {@link Topics#TRAIN} and
 * {@link Topics#TEST}. Pixels are uint8, row-major, exactly as in the IDX files (0 = background).
 * Wire layout: {@link ImageBatchCodec}.
 *
 * @param datasetId    identity of the data: for Fashion-MNIST a digest of the files' content, so a
 *                     second publication of the same data carries the same id and batch ids
 * @param batchId      unique and deterministic: also the Kafka key; the trainer drops a batch id it has seen
 * @param split        train, test or user
 * @param sequence     position of this batch within its dataset split (0-based)
 * @param totalBatches number of batches in the dataset split, or 0 when open-ended (user images)
 * @param labels       one byte per image: 0-9, or {@link #UNLABELLED}
 * @param pixels       count * rows * cols bytes, image after image
 */
public record ImageBatch(String datasetId, String batchId, Split split, long sequence, int totalBatches,
                         int rows, int cols, byte[] labels, byte[] pixels) {

    /** Label byte of an image without a label. */
    public static final int UNLABELLED = 0xFF;

    public ImageBatch {
        Objects.requireNonNull(datasetId, "datasetId");
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(pixels, "pixels");
    }

    public int count() {
        return labels.length;
    }

    /** Label of image i (0-9), or {@link #UNLABELLED}. */
    public int label(int i) {
        return Byte.toUnsignedInt(labels[i]);
    }

    public int imageSize() {
        return rows * cols;
    }
}
