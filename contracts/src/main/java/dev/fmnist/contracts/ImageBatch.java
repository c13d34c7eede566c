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
 *                     (and, for a batch with a {@link Position}, every image it has already taken)
 * @param split        train, test or user
 * @param sequence     position of this batch within its dataset split (0-based)
 * @param totalBatches number of batches in the dataset split, or 0 when open-ended (user images)
 * @param labels       one byte per image: 0-9, or {@link #UNLABELLED}
 * @param pixels       count * rows * cols bytes, image after image
 * @param position     where the images come from, for content-level deduplication; null when the batch has
 *                     no place in a fixed dataset (user images, format version 1 records)
 */
public record ImageBatch(String datasetId, String batchId, Split split, long sequence, int totalBatches,
                         int rows, int cols, byte[] labels, byte[] pixels, Position position) {

    /** Label byte of an image without a label. */
    public static final int UNLABELLED = 0xFF;

    /**
     * The images' place in their source: image {@code i} of the batch is image {@code firstImage + i} of
     * split {@code split} of {@code source}, whatever the batch size or limit of the publication. Two
     * records naming the same (source, split, position) carry the same image, which the trainer takes once.
     * A dataset split announcing {@code totalImages} T consists of the source's images 0..T-1 (a publication
     * with a limit takes the first T).
     *
     * @param source      the content the positions refer to (for Fashion-MNIST the files' digest,
     *                    without the limit suffix of the dataset id); not blank
     * @param firstImage  position of the batch's first image in the source's split, from 0
     * @param totalImages images in the dataset split this batch belongs to, at least 1
     */
    public record Position(String source, long firstImage, int totalImages) {
        public Position {
            Objects.requireNonNull(source, "source");
        }
    }

    public ImageBatch {
        Objects.requireNonNull(datasetId, "datasetId");
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(pixels, "pixels");
    }

    /** A batch without a position (user images; what format version 1 carries). */
    public ImageBatch(String datasetId, String batchId, Split split, long sequence, int totalBatches,
                      int rows, int cols, byte[] labels, byte[] pixels) {
        this(datasetId, batchId, split, sequence, totalBatches, rows, cols, labels, pixels, null);
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
