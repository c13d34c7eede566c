package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageBatchCodecTest {
    private static final int HEADER = 26;

    /** A batch of n images of rows x cols with labels i % 10 and seeded random pixels. */
    private static ImageBatch batch(Split split, int n, int rows, int cols) {
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        byte[] pixels = new byte[n * rows * cols];
        new Random(n * 31L + rows).nextBytes(pixels);
        return new ImageBatch("fashion-mnist-0123456789abcdef", "fashion-mnist-0123456789abcdef/" + split + "/3",
                split, 3, 235, rows, cols, labels, pixels);
    }

    private static ImageBatch small() {
        return batch(Split.TRAIN, 3, 2, 2);
    }

    private static void assertSameBatch(ImageBatch expected, ImageBatch actual) {
        assertEquals(expected.datasetId(), actual.datasetId());
        assertEquals(expected.batchId(), actual.batchId());
        assertEquals(expected.split(), actual.split());
        assertEquals(expected.sequence(), actual.sequence());
        assertEquals(expected.totalBatches(), actual.totalBatches());
        assertEquals(expected.rows(), actual.rows());
        assertEquals(expected.cols(), actual.cols());
        assertArrayEquals(expected.labels(), actual.labels());
        assertArrayEquals(expected.pixels(), actual.pixels());
    }

    private static String rejected(byte[] record) {
        return assertThrows(WireFormatException.class, () -> ImageBatchCodec.decode(record)).getMessage();
    }

    private static String refused(ImageBatch batch) {
        return assertThrows(IllegalArgumentException.class, () -> ImageBatchCodec.encode(batch)).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + message + "' should contain '" + part + "'");
        }
    }

    /** An encoded record with one header field overwritten and the trailer recomputed. */
    private static byte[] tamper(ImageBatch b, java.util.function.Consumer<ByteBuffer> edit) {
        byte[] record = ImageBatchCodec.encode(b);
        edit.accept(ByteBuffer.wrap(record));
        return Records.reseal(record);
    }

    private static int labelsOffset(ImageBatch b) {
        return HEADER + 2 + b.datasetId().length() + 2 + b.batchId().length();
    }

    // ---- round trips

    @ParameterizedTest
    @EnumSource(Split.class)
    void roundTripsEverySplit(Split split) {
        ImageBatch b = batch(split, 256, 28, 28);
        assertSameBatch(b, ImageBatchCodec.decode(ImageBatchCodec.encode(b)));
    }

    @Test
    void roundTripsUnlabelledImagesAndNonAsciiIds() {
        byte[] labels = {(byte) ImageBatch.UNLABELLED, 9, 0, (byte) ImageBatch.UNLABELLED};
        ImageBatch b = new ImageBatch("user-uploads", "réf-ü/✓", Split.USER, 0, 0, 28, 28, labels, new byte[4 * 784]);
        ImageBatch back = ImageBatchCodec.decode(ImageBatchCodec.encode(b));
        assertSameBatch(b, back);
        assertEquals(ImageBatch.UNLABELLED, back.label(0));
        assertEquals(9, back.label(1));
        assertEquals(4, back.count());
    }

    @Test
    void roundTripsOtherDimensions() {
        for (int[] d : new int[][] {{1, 1}, {5, 7}, {7, 5}, {32, 32}, {1, 1024}, {1024, 1}, {1024, 878}}) {
            ImageBatch b = batch(Split.TEST, 1, d[0], d[1]);
            ImageBatch back = ImageBatchCodec.decode(ImageBatchCodec.encode(b));
            assertSameBatch(b, back);
            assertEquals(d[0] * d[1], back.imageSize());
        }
    }

    @Test
    void roundTripsMaximumSizes() {
        // Most images (65,535 of 1x13 = 851,955 pixel bytes), the largest pixel payload (exactly
        // MAX_PIXEL_BYTES) with many labels, the longest ids, the largest sequence and total.
        String longId = "é".repeat(ImageBatchCodec.MAX_ID_BYTES / 2) + "x";
        assertEquals(ImageBatchCodec.MAX_ID_BYTES, longId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        for (int[] shape : new int[][] {{ImageBatchCodec.MAX_COUNT, 1, 13}, {60_000, 1, 15}, {1_000, 30, 30}}) {
            int n = shape[0];
            byte[] labels = new byte[n];
            Arrays.fill(labels, (byte) 7);
            byte[] pixels = new byte[n * shape[1] * shape[2]];
            new Random(1).nextBytes(pixels);
            ImageBatch b = new ImageBatch(longId, longId, Split.TRAIN, ImageBatchCodec.MAX_SPLIT_IMAGES - 1,
                    ImageBatchCodec.MAX_SPLIT_IMAGES, shape[1], shape[2], labels, pixels);
            byte[] record = ImageBatchCodec.encode(b);
            assertSameBatch(b, ImageBatchCodec.decode(record));
            // the same, positioned (format 2, a third id)
            ImageBatch p = new ImageBatch(longId, longId, Split.TRAIN, 0, ImageBatchCodec.MAX_SPLIT_IMAGES / n + 1,
                    shape[1], shape[2], labels, pixels,
                    new ImageBatch.Position(longId, ImageBatchCodec.MAX_SPLIT_IMAGES - n, ImageBatchCodec.MAX_SPLIT_IMAGES));
            byte[] positioned = ImageBatchCodec.encode(p);
            assertEquals(p.position(), ImageBatchCodec.decode(positioned).position());
            assertTrue(positioned.length + ImageBatchCodec.MAX_ID_BYTES < 1_048_576 - 1024,
                    () -> positioned.length + " bytes is too close to 1 MiB");
            // value plus key (the batch id) must fit Kafka's default 1 MiB request size with room for overhead
            assertTrue(record.length + ImageBatchCodec.MAX_ID_BYTES < 1_048_576 - 1024,
                    () -> record.length + " bytes is too close to 1 MiB");
        }
    }

    @Test
    void aTrainingBatchIsAbout200KilobytesAndUnderOneMebibyte() {
        byte[] record = ImageBatchCodec.encode(batch(Split.TRAIN, 256, 28, 28));
        int expected = HEADER + 2 + 30 + 2 + "fashion-mnist-0123456789abcdef/TRAIN/3".length() + 256 + 256 * 784 + 4;
        assertEquals(expected, record.length);
        assertTrue(record.length > 195_000 && record.length < 205_000, () -> record.length + " bytes");
        assertTrue(record.length < 1 << 20);
    }

    @Test
    void writesTheDocumentedHeader() {
        ImageBatch b = small();
        ByteBuffer buf = ByteBuffer.wrap(ImageBatchCodec.encode(b));
        assertEquals(0x464D4942, buf.getInt(0));
        assertEquals("FMIB", new String(buf.array(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, buf.get(4));
        assertEquals(0, buf.get(5));
        assertEquals(2, buf.getShort(6));
        assertEquals(2, buf.getShort(8));
        assertEquals(3, buf.getInt(10));
        assertEquals(3L, buf.getLong(14));
        assertEquals(235, buf.getInt(22));
        assertEquals(b.datasetId().length(), buf.getShort(26));
    }

    // ---- decode rejections

    @Test
    void rejectsNullAndShortRecords() {
        assertContains(rejected(null), "image batch", "null");
        assertContains(rejected(new byte[0]), "shorter than");
        assertContains(rejected(new byte[33]), "33 bytes is shorter than the 34-byte minimum");
    }

    @Test
    void rejectsBadMagic() {
        byte[] record = ImageBatchCodec.encode(small());
        record[0] = 'X';
        assertContains(rejected(Records.reseal(record)), "bad magic 0x584D4942, expected 0x464D4942");
        // a weight snapshot sent to the wrong topic
        assertContains(rejected(tamper(small(), buf -> buf.putInt(0, WeightSnapshotCodec.MAGIC))), "bad magic");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 255})
    void rejectsUnsupportedFormatVersions(int version) {
        byte[] record = ImageBatchCodec.encode(small());
        record[4] = (byte) version;
        // checked before the checksum: a future version is named as such, not as corruption
        assertContains(rejected(record), "unsupported format version " + version, "knows 1-2");
    }

    @Test
    void rejectsUnknownSplit() {
        assertContains(rejected(tamper(small(), buf -> buf.put(5, (byte) 3))), "unknown split code 3");
        assertContains(rejected(tamper(small(), buf -> buf.put(5, (byte) 0xFF))), "unknown split code 255");
    }

    @Test
    void rejectsCountZeroNegativeOrTooLarge() {
        assertContains(rejected(tamper(small(), buf -> buf.putInt(10, 0))), "count 0 is not in 1..65535");
        assertContains(rejected(tamper(small(), buf -> buf.putInt(10, -1))), "count -1 is not in 1..65535");
        assertContains(rejected(tamper(small(), buf -> buf.putInt(10, 65_536))), "count 65536 is not in 1..65535");
    }

    @Test
    void rejectsDimensionsZeroOrOver1024() {
        assertContains(rejected(tamper(small(), buf -> buf.putShort(6, (short) 0))), "dimensions 0x2 are not in 1..1024");
        assertContains(rejected(tamper(small(), buf -> buf.putShort(8, (short) 0))), "dimensions 2x0 are not in 1..1024");
        assertContains(rejected(tamper(small(), buf -> buf.putShort(6, (short) 1025))), "dimensions 1025x2");
        assertContains(rejected(tamper(small(), buf -> buf.putShort(8, (short) 0xFFFF))), "dimensions 2x65535");
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 11, 100, 254})
    void rejectsLabelsOutside0To9Or255(int label) {
        ImageBatch b = small();
        int at = labelsOffset(b) + 1;
        assertContains(rejected(tamper(b, buf -> buf.put(at, (byte) label))),
                "label " + label + " of image 1 is not in 0-9");
    }

    @Test
    void rejectsPixelLengthMismatch() {
        byte[] record = ImageBatchCodec.encode(small());
        int body = record.length - 4;
        assertContains(rejected(Records.resizeBody(record, body - 1)), "3 images of 2x2 need 12 pixel bytes, record has 11");
        assertContains(rejected(Records.resizeBody(record, body + 5)), "need 12 pixel bytes, record has 17");
        // count announcing more images than the record holds
        assertContains(rejected(tamper(small(), buf -> buf.putInt(10, 2))), "need 8 pixel bytes, record has 13");
        // cut inside the labels
        int labels = labelsOffset(small());
        assertContains(rejected(Records.resizeBody(record, labels + 1)), "truncated record: labels needs 3 bytes, 1 left");
        // cut inside the ids
        assertContains(rejected(Records.resizeBody(record, HEADER + 5)), "truncated record: dataset id needs 30 bytes");
    }

    @Test
    void rejectsATruncatedRecordWithoutItsTrailer() {
        byte[] record = ImageBatchCodec.encode(small());
        assertContains(rejected(Arrays.copyOf(record, record.length - 1)), "checksum mismatch");
        assertContains(rejected(Arrays.copyOf(record, record.length + 1)), "checksum mismatch");
    }

    @Test
    void rejectsAnySingleCorruptedByte() {
        byte[] good = ImageBatchCodec.encode(small());
        for (int i = 0; i < good.length; i++) {
            for (int flip : new int[] {0x01, 0x80, 0xFF}) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) flip;
                String message = rejected(bad);
                String expected = i < 4 ? "bad magic" : i == 4 ? "unsupported format version" : "checksum mismatch";
                assertContains(message, expected);
            }
        }
        // and in a full-size batch, a pixel in the middle and the last label
        ImageBatch big = batch(Split.TRAIN, 256, 28, 28);
        byte[] record = ImageBatchCodec.encode(big);
        for (int i : new int[] {record.length / 2, labelsOffset(big) + 255, record.length - 1}) {
            byte[] bad = record.clone();
            bad[i]++;
            assertContains(rejected(bad), "checksum mismatch (stored 0x");
        }
    }

    @Test
    void rejectsInvalidUtf8InIds() {
        ImageBatch b = small();
        assertContains(rejected(tamper(b, buf -> buf.put(HEADER + 2, (byte) 0xC3))), "dataset id is not valid UTF-8");
        int batchIdAt = HEADER + 2 + b.datasetId().length() + 2;
        assertContains(rejected(tamper(b, buf -> buf.put(batchIdAt, (byte) 0xFF))), "batch id is not valid UTF-8");
    }

    @Test
    void rejectsNegativeSequenceOrTotal() {
        assertContains(rejected(tamper(small(), buf -> buf.putLong(14, -1))), "negative sequence -1");
        assertContains(rejected(tamper(small(), buf -> buf.putInt(22, -5))), "or total -5");
    }

    // ---- encoder refusals

    @Test
    void refusesPixelPayloadsOverTheLimit() {
        int n = ImageBatchCodec.MAX_PIXEL_BYTES / 784 + 1;
        ImageBatch b = new ImageBatch("d", "b", Split.TRAIN, 0, 0, 28, 28, new byte[n], new byte[n * 784]);
        assertContains(refused(b), n * 784 + " pixel bytes exceed the 900000-byte limit");
    }

    @Test
    void refusesMismatchedArrays() {
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 0, 28, 28, new byte[2], new byte[784])),
                "2 images of 28x28 need 1568 pixel bytes, got 784");
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 0, 28, 28, new byte[1], new byte[785])),
                "need 784 pixel bytes, got 785");
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 0, 28, 28, new byte[0], new byte[0])),
                "count 0 is not in 1..65535");
    }

    @Test
    void refusesBadHeaderValues() {
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 0, 0, 28, new byte[1], new byte[0])), "dimensions 0x28");
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 0, 1025, 1, new byte[1], new byte[1025])), "dimensions 1025x1");
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 0, 1, 1, new byte[] {10}, new byte[1])), "label 10 of image 0");
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, -1, 0, 1, 1, new byte[1], new byte[1])), "negative sequence");
        assertContains(refused(new ImageBatch("d", " ", Split.TRAIN, 0, 0, 1, 1, new byte[1], new byte[1])), "batch id is blank");
        String tooLong = "x".repeat(ImageBatchCodec.MAX_ID_BYTES + 1);
        assertContains(refused(new ImageBatch(tooLong, "b", Split.TRAIN, 0, 0, 1, 1, new byte[1], new byte[1])), "at most 255 bytes");
        assertContains(refused(new ImageBatch("d", tooLong, Split.TRAIN, 0, 0, 1, 1, new byte[1], new byte[1])), "at most 255 bytes");
        assertThrows(NullPointerException.class, () -> new ImageBatch("d", "b", null, 0, 0, 1, 1, new byte[1], new byte[1]));
    }

    // ---- format 2: positions, and the bounds on announced sizes

    private static ImageBatch positioned(long first, int n, int totalImages, int totalBatches) {
        return new ImageBatch("fashion-mnist-0123456789abcdef-train1000-test0", "x/train/bs100/000001", Split.TRAIN, 1,
                totalBatches, 28, 28, new byte[n], new byte[n * 784],
                new ImageBatch.Position("fashion-mnist-0123456789abcdef", first, totalImages));
    }

    @Test
    void aPositionedBatchIsFormatTwoAndRoundTrips() {
        ImageBatch b = positioned(100, 100, 1000, 10);
        byte[] record = ImageBatchCodec.encode(b);
        assertEquals(2, record[4]);
        ImageBatch back = ImageBatchCodec.decode(record);
        assertSameBatch(b, back);
        assertEquals(new ImageBatch.Position("fashion-mnist-0123456789abcdef", 100, 1000), back.position());
        ByteBuffer buf = ByteBuffer.wrap(record);
        assertEquals(100, buf.getLong(26));
        assertEquals(1000, buf.getInt(34));
    }

    @Test
    void anUnpositionedBatchIsStillWrittenAndReadAsFormatOne() {
        ImageBatch b = small();
        byte[] record = ImageBatchCodec.encode(b);
        assertEquals(1, record[4], "readers that know only format 1 keep reading user images");
        assertEquals(null, ImageBatchCodec.decode(record).position());
    }

    @Test
    void announcedSizesNoDatasetCanHaveAreRefused() {
        // format 1: a total beyond what a split can hold, a sequence outside the total
        assertContains(rejected(tamper(small(), buf -> buf.putInt(22, Integer.MAX_VALUE))),
                "exceeds what a split can hold");
        assertContains(rejected(tamper(small(), buf -> buf.putInt(22, ImageBatchCodec.MAX_SPLIT_IMAGES + 1))),
                "exceeds what a split can hold");
        assertContains(rejected(tamper(small(), buf -> buf.putLong(14, 235))), "sequence 235 is outside the announced 0..234");
        // format 2: total images beyond the bound, more batches than images, images outside the split
        ImageBatch p = positioned(100, 100, 1000, 10);
        assertContains(rejected(tamper(p, buf -> buf.putInt(34, ImageBatchCodec.MAX_SPLIT_IMAGES + 1))),
                "total images 1048577 is not in 1..1048576");
        assertContains(rejected(tamper(p, buf -> buf.putInt(22, 1001))), "1001 batches cannot hold 1000 images");
        assertContains(rejected(tamper(p, buf -> buf.putLong(26, 950))), "images 950..1049 lie outside");
        assertContains(rejected(tamper(p, buf -> buf.putLong(26, -1))), "lie outside");
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 1, 28, 28, new byte[100], new byte[100 * 784],
                new ImageBatch.Position("c", 0, 50))), "lie outside the split's 50 images");
        assertContains(refused(new ImageBatch("d", "b", Split.TRAIN, 0, 1, 1, 1, new byte[1], new byte[1],
                new ImageBatch.Position(" ", 0, 1))), "source id");
    }
}
