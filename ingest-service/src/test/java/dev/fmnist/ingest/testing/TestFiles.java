package dev.fmnist.ingest.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test data: the real Fashion-MNIST directory, and small helpers to copy, corrupt and zip files. */
public final class TestFiles {
    private TestFiles() {
    }

    /** The directory of the four real .gz files (system property fmnist.test.data-dir, set by the build). */
    public static Path dataDir() {
        String dir = System.getProperty("fmnist.test.data-dir");
        if (dir == null) {
            throw new IllegalStateException("system property fmnist.test.data-dir is not set (run the tests with Maven)");
        }
        return Path.of(dir).toAbsolutePath().normalize();
    }

    /** Links (or copies) the four real .gz files into dir. */
    public static void linkDataset(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String name : new String[]{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
                Files.createSymbolicLink(dir.resolve(name), dataDir().resolve(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gunzip(Path gz) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip of name -> bytes, in the given order. */
    public static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                if (e.getValue() != null) {
                    zip.write(e.getValue());
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
