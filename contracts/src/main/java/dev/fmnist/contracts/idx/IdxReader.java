package dev.fmnist.contracts.idx;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST, gzip-compressed or not (told by the content, not
 * the name). Checks the magic number, the dimensions and that the file holds exactly what its
 * header announces.
 */
public final class IdxReader {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    private static final int MAX_ITEMS = 10_000_000;

    /** Images as stored: {@code count} images of rows x cols uint8 pixels, row-major. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
    }

    private IdxReader() {
    }

    public static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new IdxFormatException(file, String.format("bad magic 0x%08X, expected 0x%08X (an IDX image file)", magic, IMAGES_MAGIC));
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || count > MAX_ITEMS || rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096
                    || (long) count * rows * cols > Integer.MAX_VALUE - 16) {
                throw new IdxFormatException(file, "implausible header: " + count + " images of " + rows + "x" + cols);
            }
            byte[] pixels = new byte[count * rows * cols];
            readBody(file, in, pixels, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    public static byte[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new IdxFormatException(file, String.format("bad magic 0x%08X, expected 0x%08X (an IDX label file)", magic, LABELS_MAGIC));
            }
            int count = in.readInt();
            if (count < 0 || count > MAX_ITEMS) {
                throw new IdxFormatException(file, "implausible header: " + count + " labels");
            }
            byte[] labels = new byte[count];
            readBody(file, in, labels, count + " labels");
            return labels;
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    private static void readBody(Path file, DataInputStream in, byte[] body, String what) throws IOException {
        try {
            in.readFully(body);
        } catch (EOFException e) {
            throw new IdxFormatException(file, "truncated: the header announces " + what + " but the data ends early");
        }
        if (in.read() != -1) {
            throw new IdxFormatException(file, "trailing bytes after the " + what + " the header announces");
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }

    private static IdxFormatException failure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new IdxFormatException(file, "no such file", e);
        }
        if (e instanceof EOFException) {
            return new IdxFormatException(file, "truncated: ends inside the header or the compressed stream", e);
        }
        if (e instanceof ZipException) {
            return new IdxFormatException(file, "corrupt gzip data: " + e.getMessage(), e);
        }
        return new IdxFormatException(file, "cannot read: " + e, e);
    }
}
