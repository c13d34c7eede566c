package dev.fmnist.contracts.idx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader on small files, real and synthetic, and every way a file can be broken. */
class IdxReaderTest {
    @TempDir
    Path tmp;

    static byte[] gunzip(Path gz) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    static byte[] labelsFile(byte... labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(IdxReader.LABELS_MAGIC).putInt(labels.length)
                .put(labels).array();
    }

    static byte[] imagesFile(int count, int rows, int cols) {
        ByteBuffer buf = ByteBuffer.allocate(16 + count * rows * cols)
                .putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count * rows * cols; i++) {
            buf.put((byte) i);
        }
        return buf.array();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    private static String failure(Path file, boolean images) {
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> {
                    if (images) {
                        IdxReader.readImages(file);
                    } else {
                        IdxReader.readLabels(file);
                    }
                });
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), () -> "'" + message + "' should contain '" + part + "'");
    }

    @Test
    void readsTheRealTestLabelsCompressedOrNot() throws IOException {
        Path gz = TestData.file("t10k-labels-idx1-ubyte");
        byte[] fromGz = IdxReader.readLabels(gz);
        assertEquals(10_000, fromGz.length);
        Path raw = write("t10k-labels-idx1-ubyte", gunzip(gz));
        assertArrayEquals(fromGz, IdxReader.readLabels(raw));
        // told by content, not by name
        Path misnamed = write("labels.gz", gunzip(gz));
        assertArrayEquals(fromGz, IdxReader.readLabels(misnamed));
    }

    @Test
    void readsSyntheticImages() throws IOException {
        IdxReader.Images images = IdxReader.readImages(write("img", gzip(imagesFile(3, 5, 7))));
        assertEquals(3, images.count());
        assertEquals(5, images.rows());
        assertEquals(7, images.cols());
        assertEquals(105, images.pixels().length);
        assertEquals(104, images.pixels()[104]);
        assertEquals(0, IdxReader.readLabels(write("empty", labelsFile())).length);
    }

    @Test
    void rejectsBadMagic() throws IOException {
        byte[] raw = labelsFile((byte) 1, (byte) 2);
        raw[3] = 0x03; // an image file's magic in a label file
        assertContains(failure(write("labels", raw), false), "bad magic 0x00000803, expected 0x00000801");
        assertContains(failure(write("images", labelsFile((byte) 1)), true), "bad magic 0x00000801, expected 0x00000803");
        assertContains(failure(write("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0}), false), "bad magic 0x89504E47");
    }

    @Test
    void rejectsTruncatedGzip() throws IOException {
        byte[] gz = Files.readAllBytes(TestData.file("t10k-labels-idx1-ubyte"));
        assertContains(failure(write("half.gz", Arrays.copyOf(gz, gz.length / 2)), false), "truncated");
        assertContains(failure(write("no-trailer.gz", Arrays.copyOf(gz, gz.length - 4)), false), "truncated");
        assertContains(failure(write("header-only.gz", Arrays.copyOf(gz, 6)), false), "truncated");
    }

    @Test
    void rejectsCorruptGzip() throws IOException {
        byte[] gz = Files.readAllBytes(TestData.file("t10k-labels-idx1-ubyte"));
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 6] ^= 0x55; // inside the CRC32 of the gzip trailer
        assertContains(failure(write("bad-crc.gz", badCrc), false), "corrupt gzip data");
    }

    @Test
    void rejectsTruncatedRawBody() throws IOException {
        byte[] raw = labelsFile(new byte[100]);
        assertContains(failure(write("labels", Arrays.copyOf(raw, raw.length - 10)), false),
                "truncated: the header announces 100 labels but the data ends early");
        byte[] images = imagesFile(2, 28, 28);
        assertContains(failure(write("images", Arrays.copyOf(images, images.length - 1)), true),
                "truncated: the header announces 2 images of 28x28");
        assertContains(failure(write("header", Arrays.copyOf(images, 10)), true), "truncated: ends inside the header");
        assertContains(failure(write("zero", new byte[0]), false), "truncated: ends inside the header");
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] raw = labelsFile(new byte[100]);
        assertContains(failure(write("labels", Arrays.copyOf(raw, raw.length + 1)), false),
                "trailing bytes after the 100 labels the header announces");
        assertContains(failure(write("labels.gz", gzip(Arrays.copyOf(raw, raw.length + 3))), false), "trailing bytes");
    }

    @Test
    void rejectsImplausibleHeaders() throws IOException {
        assertContains(failure(write("neg", ByteBuffer.allocate(8).putInt(IdxReader.LABELS_MAGIC).putInt(-1).array()), false),
                "implausible header: -1 labels");
        byte[] zeroRows = ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(1).putInt(0).putInt(28).array();
        assertContains(failure(write("rows", zeroRows), true), "implausible header: 1 images of 0x28");
        byte[] huge = ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(10_000_000).putInt(4096).putInt(4096).array();
        assertContains(failure(write("huge", huge), true), "implausible header");
    }

    @Test
    void rejectsAMissingFile() {
        assertContains(failure(tmp.resolve("absent-idx1-ubyte.gz"), false), "no such file");
    }
}
