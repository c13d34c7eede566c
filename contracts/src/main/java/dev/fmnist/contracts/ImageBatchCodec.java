package dev.fmnist.contracts;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The one codec of {@link ImageBatch}. Layout, version 1, big-endian:
 *
 * <pre>
 * offset size  field
 *  0      4    magic "FMIB" (0x464D4942)
 *  4      1    format version (1)
 *  5      1    split: 0 train, 1 test, 2 user
 *  6      2    rows (uint16, 1..1024)
 *  8      2    cols (uint16, 1..1024)
 * 10      4    count n (int32, 1..65535)
 * 14      8    sequence (int64, >= 0)
 * 22      4    total batches (int32, >= 0; 0 = open-ended)
 * 26      2+a  dataset id: uint16 length a (0..255), UTF-8
 *  .      2+b  batch id: uint16 length b (1..255), UTF-8, not blank
 *  .      n    labels: uint8 0-9, or 255 = unlabelled
 *  .      n*rows*cols  pixels: uint8 row-major, image after image
 *  .      4    CRC32C of every byte before it
 * </pre>
 *
 * Ids are at most {@link #MAX_ID_BYTES} bytes of UTF-8. A 256-image batch of 28x28 is about
 * 200 KB; the encoder refuses pixel payloads over {@link #MAX_PIXEL_BYTES} so every record, key
 * included, stays under Kafka's 1 MiB default. A reader checks magic, then version, then checksum.
 */
public final class ImageBatchCodec {
    public static final int MAGIC = 0x464D4942;
    public static final int FORMAT_VERSION = 1;
    public static final int MAX_PIXEL_BYTES = 900_000;
    public static final int MAX_DIM = 1024;
    public static final int MAX_COUNT = 0xFFFF;
    /**
     * Longest dataset id or batch id, in UTF-8 bytes. Keeps the largest record (900,000 pixel
     * bytes, 65,535 labels, two ids, the batch id again as the key) under 1 MiB.
     */
    public static final int MAX_ID_BYTES = 255;
    private static final String FORMAT = "image batch";
    private static final int FIXED_BYTES = 26 + 2 + 2 + Wire.CRC_BYTES;

    private ImageBatchCodec() {
    }

    public static byte[] encode(ImageBatch batch) {
        validate(batch.split(), batch.sequence(), batch.totalBatches(), batch.rows(), batch.cols(),
                batch.labels(), batch.pixels().length, IllegalArgumentException::new);
        byte[] dataset = Wire.utf8(batch.datasetId(), "datasetId");
        byte[] id = Wire.utf8(batch.batchId(), "batchId");
        checkIds(dataset.length, batch.batchId(), IllegalArgumentException::new);
        int n = batch.count();
        ByteBuffer buf = ByteBuffer.allocate(FIXED_BYTES + dataset.length + id.length + n + batch.pixels().length);
        buf.putInt(MAGIC)
                .put((byte) FORMAT_VERSION)
                .put((byte) batch.split().code())
                .putShort((short) batch.rows())
                .putShort((short) batch.cols())
                .putInt(n)
                .putLong(batch.sequence())
                .putInt(batch.totalBatches());
        Wire.putString(buf, dataset);
        Wire.putString(buf, id);
        buf.put(batch.labels()).put(batch.pixels());
        return Wire.seal(buf);
    }

    /**
     * Decodes and checks a record.
     *
     * @throws WireFormatException naming the first thing that is wrong
     */
    public static ImageBatch decode(byte[] data) {
        return Wire.guard(FORMAT, () -> {
            ByteBuffer buf = Wire.open(data, MAGIC, FORMAT_VERSION, FORMAT, FIXED_BYTES);
            Split split = Split.ofCode(Byte.toUnsignedInt(buf.get()));
            int rows = Short.toUnsignedInt(buf.getShort());
            int cols = Short.toUnsignedInt(buf.getShort());
            int n = buf.getInt();
            long sequence = buf.getLong();
            int total = buf.getInt();
            // Header fields first, so a bad header is named as such and not as a length mismatch.
            checkDims(rows, cols, WireFormatException::new);
            checkCount(n, WireFormatException::new);
            String dataset = Wire.getString(buf, "dataset id");
            String batchId = Wire.getString(buf, "batch id");
            checkIds(dataset.getBytes(StandardCharsets.UTF_8).length, batchId, WireFormatException::new);
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
            return new ImageBatch(dataset, batchId, split, sequence, total, rows, cols, labels, pixels);
        });
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
