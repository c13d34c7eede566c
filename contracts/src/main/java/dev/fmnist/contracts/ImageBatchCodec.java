package dev.fmnist.contracts;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The one codec of {@link ImageBatch}. Two layouts, big-endian; the encoder writes version 2 for a batch
 * with a {@link ImageBatch.Position} and version 1 for one without (user images), so readers that know only
 * version 1 keep reading uploads; the decoder reads both.
 *
 * <pre>
 * version 1                                  version 2
 * offset size  field                         offset size  field
 *  0      4    magic "FMIB" (0x464D4942)      0      4    magic
 *  4      1    format version (1)             4      1    format version (2)
 *  5      1    split: 0 train, 1 test, 2 user 5      1    split
 *  6      2    rows (uint16, 1..1024)         6      2    rows
 *  8      2    cols (uint16, 1..1024)         8      2    cols
 * 10      4    count n (int32, 1..65535)     10      4    count n
 * 14      8    sequence (int64, >= 0)        14      8    sequence
 * 22      4    total batches (int32, >= 0;   22      4    total batches (1..total images)
 *              0 = open-ended)
 *                                            26      8    first image (int64, >= 0)
 *                                            34      4    total images (int32, 1..MAX_SPLIT_IMAGES)
 * 26      2+a  dataset id (uint16 length     38      2+a  dataset id
 *              a, 0..255, UTF-8)
 *  .      2+b  batch id (1..255, not blank)   .      2+b  batch id
 *                                             .      2+c  source id (1..255, not blank)
 *  .      n    labels: 0-9, 255 = unlabelled  .      n    labels
 *  .      n*rows*cols  pixels, row-major      .      n*rows*cols  pixels
 *  .      4    CRC32C of every byte before    .      4    CRC32C
 * </pre>
 *
 * Ids are at most {@link #MAX_ID_BYTES} bytes of UTF-8. A 256-image batch of 28x28 is about
 * 200 KB; the encoder refuses pixel payloads over {@link #MAX_PIXEL_BYTES} so every record, key
 * included, stays under Kafka's 1 MiB default. A reader checks magic, then version, then checksum.
 * Announced sizes are bounded by what a dataset can be: a split has at most {@link #MAX_SPLIT_IMAGES}
 * images, hence at most as many batches; a batch's sequence is below the announced total; a positioned
 * batch lies inside its split. A forged total therefore fails decoding (a dead letter) instead of making
 * the trainer wait for batches that cannot exist.
 */
public final class ImageBatchCodec {
    public static final int MAGIC = 0x464D4942;
    /** The newest layout (positioned batches); version 1 is still written for unpositioned ones and read. */
    public static final int FORMAT_VERSION = 2;
    static final int V1 = 1;
    public static final int MAX_PIXEL_BYTES = 900_000;
    public static final int MAX_DIM = 1024;
    public static final int MAX_COUNT = 0xFFFF;
    /**
     * Most images a dataset split may announce, and so most batches: 2^20 = 1,048,576, 17 times
     * Fashion-MNIST's 60,000 (822 MB of 28x28 pixels, the order of what a trainer holds in memory for an
     * epoch). A larger announcement is not a dataset this pipeline can train on; it is refused.
     */
    public static final int MAX_SPLIT_IMAGES = 1 << 20;
    /**
     * Longest dataset id, batch id or source id, in UTF-8 bytes. Keeps the largest record (900,000 pixel
     * bytes, 65,535 labels, three ids, the batch id again as the key) under 1 MiB.
     */
    public static final int MAX_ID_BYTES = 255;
    private static final String FORMAT = "image batch";
    private static final int V1_FIXED_BYTES = 26 + 2 + 2 + Wire.CRC_BYTES;
    private static final int V2_FIXED_BYTES = 38 + 2 + 2 + 2 + Wire.CRC_BYTES;

    private ImageBatchCodec() {
    }

    public static byte[] encode(ImageBatch batch) {
        validate(batch.split(), batch.sequence(), batch.totalBatches(), batch.rows(), batch.cols(),
                batch.labels(), batch.pixels().length, IllegalArgumentException::new);
        ImageBatch.Position position = batch.position();
        validate(position, batch.totalBatches(), batch.count(), IllegalArgumentException::new);
        byte[] dataset = Wire.utf8(batch.datasetId(), "datasetId");
        byte[] id = Wire.utf8(batch.batchId(), "batchId");
        checkIds(dataset.length, batch.batchId(), IllegalArgumentException::new);
        byte[] source = position == null ? null : Wire.utf8(position.source(), "source");
        int n = batch.count();
        int fixed = position == null ? V1_FIXED_BYTES : V2_FIXED_BYTES + source.length;
        ByteBuffer buf = ByteBuffer.allocate(fixed + dataset.length + id.length + n + batch.pixels().length);
        buf.putInt(MAGIC)
                .put((byte) (position == null ? V1 : FORMAT_VERSION))
                .put((byte) batch.split().code())
                .putShort((short) batch.rows())
                .putShort((short) batch.cols())
                .putInt(n)
                .putLong(batch.sequence())
                .putInt(batch.totalBatches());
        if (position != null) {
            buf.putLong(position.firstImage()).putInt(position.totalImages());
        }
        Wire.putString(buf, dataset);
        Wire.putString(buf, id);
        if (position != null) {
            Wire.putString(buf, source);
        }
        buf.put(batch.labels()).put(batch.pixels());
        return Wire.seal(buf);
    }

    /**
     * Decodes and checks a record of either version.
     *
     * @throws WireFormatException naming the first thing that is wrong
     */
    public static ImageBatch decode(byte[] data) {
        return Wire.guard(FORMAT, () -> {
            ByteBuffer buf = Wire.open(data, MAGIC, V1, FORMAT_VERSION, FORMAT, V1_FIXED_BYTES);
            boolean positioned = Byte.toUnsignedInt(data[4]) == 2;
            if (positioned && data.length < V2_FIXED_BYTES) {
                throw new WireFormatException(FORMAT + ": record of " + data.length
                        + " bytes is shorter than the version 2 minimum of " + V2_FIXED_BYTES);
            }
            Split split = Split.ofCode(Byte.toUnsignedInt(buf.get()));
            int rows = Short.toUnsignedInt(buf.getShort());
            int cols = Short.toUnsignedInt(buf.getShort());
            int n = buf.getInt();
            long sequence = buf.getLong();
            int total = buf.getInt();
            long firstImage = positioned ? buf.getLong() : 0;
            int totalImages = positioned ? buf.getInt() : 0;
            // Header fields first, so a bad header is named as such and not as a length mismatch.
            checkDims(rows, cols, WireFormatException::new);
            checkCount(n, WireFormatException::new);
            String dataset = Wire.getString(buf, "dataset id");
            String batchId = Wire.getString(buf, "batch id");
            checkIds(dataset.getBytes(StandardCharsets.UTF_8).length, batchId, WireFormatException::new);
            ImageBatch.Position position = null;
            if (positioned) {
                position = new ImageBatch.Position(Wire.getString(buf, "source id"), firstImage, totalImages);
                validate(position, total, n, WireFormatException::new);
            }
            byte[] labels = new byte[n];
            Wire.need(buf, n, "labels").get(labels);
            long pixelBytes = (long) n * rows * cols;
            if (buf.remaining() != pixelBytes) {
                throw new WireFormatException(FORMAT + ": " + n + " images of " + rows + "x" + cols + " need "
                        + pixelBytes + " pixel bytes, record has " + buf.remaining());
            }
            byte[] pixels = new byte[(int) pixelBytes];
            buf.get(pixels);
            validate(split, sequence, total, rows, cols, labels, pixels.length, WireFormatException::new);
            return new ImageBatch(dataset, batchId, split, sequence, total, rows, cols, labels, pixels, position);
        });
    }

    /** The rules of a position (version 2), against the batch's announced total and image count. */
    private static void validate(ImageBatch.Position p, int totalBatches, int n,
                                 Function<String, RuntimeException> error) {
        if (p == null) {
            return;
        }
        int sourceBytes = p.source().getBytes(StandardCharsets.UTF_8).length;
        if (p.source().isBlank() || sourceBytes > MAX_ID_BYTES) {
            throw error.apply(FORMAT + ": source id must be 1.." + MAX_ID_BYTES + " bytes of UTF-8, not blank");
        }
        if (p.totalImages() < 1 || p.totalImages() > MAX_SPLIT_IMAGES) {
            throw error.apply(FORMAT + ": total images " + p.totalImages() + " is not in 1.." + MAX_SPLIT_IMAGES);
        }
        if (totalBatches < 1 || totalBatches > p.totalImages()
                || (long) totalBatches * MAX_COUNT < p.totalImages()) {
            throw error.apply(FORMAT + ": " + totalBatches + " batches cannot hold " + p.totalImages()
                    + " images (1 to " + MAX_COUNT + " images a batch)");
        }
        if (p.firstImage() < 0 || p.firstImage() + n > p.totalImages()) {
            throw error.apply(FORMAT + ": images " + p.firstImage() + ".." + (p.firstImage() + n - 1)
                    + " lie outside the split's " + p.totalImages() + " images");
        }
    }

    private static void validate(Split split, long sequence, int total, int rows, int cols, byte[] labels,
                                 int pixelBytes, Function<String, RuntimeException> error) {
        if (split == null) {
            throw error.apply(FORMAT + ": split is missing");
        }
        checkDims(rows, cols, error);
        int n = labels.length;
        checkCount(n, error);
        if ((long) n * rows * cols != pixelBytes) {
            throw error.apply(FORMAT + ": " + n + " images of " + rows + "x" + cols + " need "
                    + ((long) n * rows * cols) + " pixel bytes, got " + pixelBytes);
        }
        if (pixelBytes > MAX_PIXEL_BYTES) {
            throw error.apply(FORMAT + ": " + pixelBytes + " pixel bytes exceed the " + MAX_PIXEL_BYTES
                    + "-byte limit of one record; split the batch");
        }
        if (sequence < 0 || total < 0) {
            throw error.apply(FORMAT + ": negative sequence " + sequence + " or total " + total);
        }
        if (total > MAX_SPLIT_IMAGES) {
            throw error.apply(FORMAT + ": total of " + total + " batches exceeds what a split can hold ("
                    + MAX_SPLIT_IMAGES + " images)");
        }
        if (total > 0 && sequence >= total) {
            throw error.apply(FORMAT + ": sequence " + sequence + " is outside the announced 0.." + (total - 1));
        }
        for (int i = 0; i < n; i++) {
            int label = Byte.toUnsignedInt(labels[i]);
            if (label >= FashionMnist.CLASSES && label != ImageBatch.UNLABELLED) {
                throw error.apply(FORMAT + ": label " + label + " of image " + i
                        + " is not in 0-9 (or 255 for unlabelled)");
            }
        }
    }

    private static void checkDims(int rows, int cols, Function<String, RuntimeException> error) {
        if (rows < 1 || rows > MAX_DIM || cols < 1 || cols > MAX_DIM) {
            throw error.apply(FORMAT + ": dimensions " + rows + "x" + cols + " are not in 1.." + MAX_DIM);
        }
    }

    private static void checkCount(int n, Function<String, RuntimeException> error) {
        if (n < 1 || n > MAX_COUNT) {
            throw error.apply(FORMAT + ": count " + n + " is not in 1.." + MAX_COUNT);
        }
    }

    private static void checkIds(int datasetBytes, String batchId, Function<String, RuntimeException> error) {
        if (batchId.isBlank()) {
            throw error.apply(FORMAT + ": batch id is blank (it is the record key and the duplicate check)");
        }
        int batchBytes = batchId.getBytes(StandardCharsets.UTF_8).length;
        if (datasetBytes > MAX_ID_BYTES || batchBytes > MAX_ID_BYTES) {
            throw error.apply(FORMAT + ": dataset id (" + datasetBytes + " bytes) and batch id (" + batchBytes
                    + " bytes) must each be at most " + MAX_ID_BYTES + " bytes of UTF-8");
        }
    }
}
