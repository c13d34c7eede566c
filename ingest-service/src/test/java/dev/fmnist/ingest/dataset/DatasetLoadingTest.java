package dev.fmnist.ingest.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.api.PublishStatus;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.ingest.messaging.ProducerSettings;
import dev.fmnist.ingest.testing.TestFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import dev.fmnist.support.kafka.KafkaClientFactory;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest's loading of the real files and of corrupted copies; nothing is sent before all is loaded. */
class DatasetLoadingTest {
    private static final byte[] FIRST_TRAIN_LABELS = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5};

    @TempDir
    Path tmp;

    @Test
    void readsTheRealFiles() {
        FashionMnistData data = DatasetPlanner.load(TestFiles.dataDir());
        assertEquals(60_000, data.train().count());
        assertEquals(10_000, data.test().count());
        assertEquals(60_000, data.train().images().count());
        assertEquals(28, data.train().images().rows());
        assertEquals(28, data.test().images().cols());
        assertArrayEquals(FIRST_TRAIN_LABELS, Arrays.copyOf(data.train().labels(), 10));
        int[] train = perClass(data.train().labels());
        int[] test = perClass(data.test().labels());
        for (int c = 0; c < 10; c++) {
            assertEquals(6_000, train[c], "train class " + c);
            assertEquals(1_000, test[c], "test class " + c);
        }
        assertTrue(data.datasetId().matches("fashion-mnist-[0-9a-f]{16}"), data.datasetId());
    }

    @Test
    void uncompressedCopiesGiveTheSameDatasetId() throws IOException {
        for (String stem : FashionMnistData.FILES) {
            Files.write(tmp.resolve(stem), TestFiles.gunzip(TestFiles.dataDir().resolve(stem + ".gz")));
        }
        FashionMnistData raw = DatasetPlanner.load(tmp);
        assertEquals(60_000, raw.train().count());
        assertEquals(DatasetPlanner.load(TestFiles.dataDir()).datasetId(), raw.datasetId());
    }

    @Test
    void badMagicNamesTheFile() throws IOException {
        Path dir = copyWith("train-images-idx3-ubyte", bytes -> ByteBuffer.wrap(bytes).putInt(0, 0x00000801).array());
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetPlanner.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("train-images-idx3-ubyte").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void truncatedRawFileNamesTheFile() throws IOException {
        Path dir = copyWith("train-images-idx3-ubyte", bytes -> Arrays.copyOf(bytes, bytes.length - 784 * 3));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetPlanner.load(dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedGzipNamesTheFile() throws IOException {
        Path dir = tmp.resolve("gz");
        TestFiles.linkDataset(dir);
        Path gz = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] whole = Files.readAllBytes(TestFiles.dataDir().resolve("train-images-idx3-ubyte.gz"));
        Files.delete(gz);
        Files.write(gz, Arrays.copyOf(whole, whole.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetPlanner.load(dir));
        assertTrue(e.getMessage().contains(gz.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void wrongCountNamesTheFile() throws IOException {
        // The header announces one label fewer than the file holds and than there are images.
        Path dir = copyWith("train-labels-idx1-ubyte", bytes -> ByteBuffer.wrap(bytes).putInt(4, 59_999).array());
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetPlanner.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("train-labels-idx1-ubyte").toString()), e.getMessage());
    }

    @Test
    void labelsAndImagesDisagreeingNamesTheLabelsFile() throws IOException {
        Path dir = copyWith("t10k-labels-idx1-ubyte", bytes -> {
            byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
            return ByteBuffer.wrap(shorter).putInt(4, 9_999).array();
        });
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetPlanner.load(dir));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("9999 labels for 10000 images"), e.getMessage());
    }

    @Test
    void aCorruptTestFileFailsTheJobBeforeAnythingIsSent() throws IOException {
        // train is sound, the test labels (read last) are corrupt: the job must fail while loading,
        // before the first send (beforeSend creates the topics and is the step right before sending).
        Path dir = copyWith("t10k-labels-idx1-ubyte", bytes -> ByteBuffer.wrap(bytes).putInt(0, 0x12345678).array());
        AtomicInteger beforeSend = new AtomicInteger();
        AtomicInteger acked = new AtomicInteger();
        ProducerSettings settings = ProducerSettings.defaults().withLinger(Duration.ZERO);
        // A real producer towards a port nothing listens on: any send would fail, never succeed.
        try (Producer<String, byte[]> producer = settings.producer(
                KafkaClientFactory.forBootstrap("localhost:1"), "loading-test")) {
            PublishJob job = new PublishJob("t", new DatasetLocator(Optional.of(dir), tmp.resolve("none"),
                    tmp.resolve("cache"), Optional.empty()), producer, PublishedBatches.NONE,
                    new PublishJob.Options(256, 0, 0, true, Duration.ofSeconds(1)), new PublishJob.Listener() {
                        @Override
                        public void batchAcked(dev.fmnist.contracts.Split split, int images, int bytes) {
                            acked.incrementAndGet();
                        }

                        @Override
                        public void finished(PublishJob job) {
                        }
                    }, beforeSend::incrementAndGet);
            job.run();
            PublishStatus status = job.status();
            assertEquals(PublishStatus.State.FAILED, status.state());
            assertTrue(status.error().contains("t10k-labels-idx1-ubyte"), status.error());
            assertTrue(status.error().contains("bad magic"), status.error());
            assertEquals(0, beforeSend.get(), "nothing may happen towards Kafka before all four files are read");
            assertEquals(0, acked.get());
            assertEquals(0, status.publishedBatches());
        }
    }

    /** A directory with the real files, one of them uncompressed and changed. */
    private Path copyWith(String stem, java.util.function.UnaryOperator<byte[]> change) throws IOException {
        Path dir = tmp.resolve("corrupt-" + stem);
        Files.createDirectories(dir);
        for (String other : FashionMnistData.FILES) {
            if (!other.equals(stem)) {
                Files.createSymbolicLink(dir.resolve(other + ".gz"), TestFiles.dataDir().resolve(other + ".gz"));
            }
        }
        Files.write(dir.resolve(stem), change.apply(TestFiles.gunzip(TestFiles.dataDir().resolve(stem + ".gz"))));
        return dir;
    }

    private static int[] perClass(byte[] labels) {
        int[] counts = new int[10];
        for (byte b : labels) {
            counts[b]++;
        }
        return counts;
    }
}
