package dev.fmnist.contracts.idx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.FashionMnist;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader on the real files, and on copies of the real files with one of them broken. */
class FashionMnistDataTest {
    static final String KNOWN_ID = "fashion-mnist-c2d697b4fe4dccee";
    private static FashionMnistData data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        data = FashionMnistData.load(TestData.dir());
    }

    private static int[] perClass(FashionMnistData.Split split) {
        int[] counts = new int[FashionMnist.CLASSES];
        for (int i = 0; i < split.count(); i++) {
            counts[split.label(i)]++;
        }
        return counts;
    }

    private static int[] firstLabels(FashionMnistData.Split split, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = split.label(i);
        }
        return out;
    }

    @Test
    void hasTheKnownShape() {
        assertEquals(60_000, data.train().count());
        assertEquals(10_000, data.test().count());
        for (FashionMnistData.Split s : new FashionMnistData.Split[] {data.train(), data.test()}) {
            assertEquals(s.count(), s.images().count());
            assertEquals(28, s.images().rows());
            assertEquals(28, s.images().cols());
            assertEquals(s.count() * 784, s.images().pixels().length);
        }
    }

    @Test
    void isBalanced() {
        int[] train = new int[10];
        Arrays.fill(train, 6_000);
        int[] test = new int[10];
        Arrays.fill(test, 1_000);
        assertArrayEquals(train, perClass(data.train()));
        assertArrayEquals(test, perClass(data.test()));
    }

    @Test
    void startsWithTheKnownLabels() {
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, firstLabels(data.train(), 10));
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, firstLabels(data.test(), 10));
    }

    @Test
    void trainPixelMeanIsTheKnownValue() {
        long sum = 0;
        for (byte b : data.train().images().pixels()) {
            sum += Byte.toUnsignedInt(b);
        }
        double mean = (double) sum / data.train().images().pixels().length;
        assertEquals(72.940, mean, 0.001);
    }

    @Test
    void datasetIdIsStableAndTheSameForDecompressedCopies() throws IOException {
        // the id of the published Fashion-MNIST (files with the SHA-256 sums in the data directory)
        assertEquals(KNOWN_ID, data.datasetId());
        for (String stem : FashionMnistData.FILES) {
            Files.write(tmp.resolve(stem), IdxReaderTest.gunzip(TestData.file(stem)));
        }
        assertEquals(TestData.file(FashionMnistData.FILES.get(0)).getFileName().toString(),
                FashionMnistData.FILES.get(0) + ".gz");
        assertEquals(tmp.resolve(FashionMnistData.FILES.get(0)), FashionMnistData.resolve(tmp, FashionMnistData.FILES.get(0)));
        FashionMnistData raw = FashionMnistData.load(tmp);
        assertEquals(data.datasetId(), raw.datasetId());
        assertArrayEquals(data.test().labels(), raw.test().labels());
    }

    @Test
    void datasetIdChangesWithTheContent() throws IOException {
        Path dir = brokenCopy("t10k-labels-idx1-ubyte", raw -> {
            raw[8] = (byte) (raw[8] == 0 ? 1 : 0); // first test label changed
            return raw;
        });
        assertNotEquals(data.datasetId(), FashionMnistData.load(dir).datasetId());
    }

    /**
     * A small but real data set: the four files with the real test split standing in for both
     * splits (keeps each test well under a second), copied into its own directory.
     */
    private Path smallCopy(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String s : FashionMnistData.FILES) {
            String source = s.replace("train-", "t10k-");
            Files.copy(TestData.file(source), dir.resolve(s + ".gz"));
        }
        return dir;
    }

    /** {@link #smallCopy} with `stem` replaced by a damaged uncompressed copy. */
    private Path brokenCopy(String stem, java.util.function.UnaryOperator<byte[]> damage) throws IOException {
        Path dir = smallCopy("broken");
        Files.delete(dir.resolve(stem + ".gz"));
        Files.write(dir.resolve(stem), damage.apply(IdxReaderTest.gunzip(TestData.file(stem))));
        return dir;
    }

    private static String failure(Path dir, String nameInMessage) {
        String message = assertThrows(IdxFormatException.class, () -> FashionMnistData.load(dir)).getMessage();
        assertTrue(message.startsWith(dir.resolve(nameInMessage) + ": "), message);
        return message;
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), () -> "'" + message + "' should contain '" + part + "'");
    }

    @Test
    void namesAFileWithBadMagic() throws IOException {
        Path dir = brokenCopy("t10k-images-idx3-ubyte", raw -> {
            raw[3] = 0x01;
            return raw;
        });
        assertContains(failure(dir, "t10k-images-idx3-ubyte"), "bad magic 0x00000801, expected 0x00000803");
    }

    @Test
    void namesATruncatedGzipFile() throws IOException {
        Path dir = smallCopy("gz");
        assertEquals(10_000, FashionMnistData.load(dir).train().count());
        byte[] gz = Files.readAllBytes(TestData.file("t10k-labels-idx1-ubyte"));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), Arrays.copyOf(gz, gz.length - 100));
        assertContains(failure(dir, "t10k-labels-idx1-ubyte.gz"), "truncated");
    }

    @Test
    void namesATruncatedRawFile() throws IOException {
        Path dir = brokenCopy("t10k-labels-idx1-ubyte", raw -> Arrays.copyOf(raw, raw.length - 1));
        assertContains(failure(dir, "t10k-labels-idx1-ubyte"), "truncated: the header announces 10000 labels");
    }

    @Test
    void namesAFileWithTrailingBytes() throws IOException {
        Path dir = brokenCopy("t10k-labels-idx1-ubyte", raw -> Arrays.copyOf(raw, raw.length + 2));
        assertContains(failure(dir, "t10k-labels-idx1-ubyte"), "trailing bytes");
    }

    @Test
    void namesTheLabelFileWhenCountsDisagree() throws IOException {
        Path dir = brokenCopy("t10k-labels-idx1-ubyte", raw -> {
            byte[] shorter = Arrays.copyOf(raw, raw.length - 1);
            ByteBuffer.wrap(shorter).putInt(4, 9_999);
            return shorter;
        });
        assertContains(failure(dir, "t10k-labels-idx1-ubyte"), "9999 labels for 10000 images in t10k-images-idx3-ubyte");
    }

    @Test
    void namesTheLabelFileWithALabelOutOfRange() throws IOException {
        Path dir = brokenCopy("t10k-labels-idx1-ubyte", raw -> {
            raw[8 + 5] = 10;
            return raw;
        });
        assertContains(failure(dir, "t10k-labels-idx1-ubyte"), "label 10 of item 5 is not in 0-9");
    }

    @Test
    void namesImagesThatAreNot28x28() throws IOException {
        Path dir = brokenCopy("t10k-images-idx3-ubyte", raw -> {
            // same bytes read as 10000 images of 56x14
            ByteBuffer.wrap(raw).putInt(8, 56).putInt(12, 14);
            return raw;
        });
        assertContains(failure(dir, "t10k-images-idx3-ubyte"), "images are 56x14, Fashion-MNIST's are 28x28");
    }

    @Test
    void namesAMissingFile() throws IOException {
        Path dir = smallCopy("missing");
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertFalse(FashionMnistData.isComplete(dir));
        assertContains(failure(dir, "t10k-labels-idx1-ubyte.gz"), "no such file (nor t10k-labels-idx1-ubyte uncompressed)");
        assertTrue(FashionMnistData.isComplete(TestData.dir()));
    }
}
