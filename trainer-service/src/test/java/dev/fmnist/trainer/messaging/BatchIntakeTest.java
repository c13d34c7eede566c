package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.trainer.model.SampleStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class BatchIntakeTest {
    final List<String> rejected = new ArrayList<>();
    final BatchIntake intake = new BatchIntake((r, reason) -> rejected.add(r.offset() + ": " + reason),
            Set.of(Split.TRAIN, Split.USER), b -> { });
    final BatchIntake.Seen seen = new BatchIntake.Seen();
    final SampleStore store = new SampleStore(784, 4);
    final BatchIntake.Stats stats = new BatchIntake.Stats();
    long offset;

    ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>(Topics.TRAIN, 0, offset++, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    static byte[] batch(String id, Split split, int rows, byte... labels) {
        byte[] pixels = new byte[labels.length * rows * rows];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i / (rows * rows) + 1); // image i is all i+1
        }
        return ImageBatchCodec.encode(new ImageBatch("d", id, split, 0, 0, rows, rows, labels, pixels));
    }

    @Test
    void labelledImagesAreTakenUnlabelledSkipped() {
        intake.accept(record(batch("b0", Split.TRAIN, 28, (byte) 3, (byte) ImageBatch.UNLABELLED, (byte) 9)), seen,
                store, stats);
        assertEquals(2, store.count());
        assertEquals(3, store.label(0));
        assertEquals(9, store.label(1));
        var pixels = java.nio.ByteBuffer.allocate(784);
        store.copyPixels(1, pixels);
        assertEquals(3, pixels.get(0), "the third image's pixels, not the skipped one's");
        assertEquals(1, stats.batches);
        assertEquals(2, stats.samples);
        assertEquals(1, stats.unlabelled);
        assertEquals(List.of(), rejected);
    }

    @Test
    void aBatchIdAlreadySeenCountsOnce() {
        intake.accept(record(batch("b0", Split.TRAIN, 28, (byte) 1)), seen, store, stats);
        intake.accept(record(batch("b0", Split.TRAIN, 28, (byte) 1)), seen, store, stats);
        intake.accept(record(batch("u0", Split.USER, 28, (byte) 2)), seen, store, stats);
        assertEquals(2, store.count());
        assertEquals(1, stats.duplicates);
        assertEquals(2, stats.batches);
        assertEquals(3, stats.records);
        assertEquals(List.of(), rejected, "a duplicate is not a bad record");
    }

    @Test
    void unusableRecordsAreRejectedWithTheirReason() {
        intake.accept(record("not an image batch".getBytes(StandardCharsets.UTF_8)), seen, store, stats);
        intake.accept(record(batch("small", Split.TRAIN, 14, (byte) 1)), seen, store, stats);
        intake.accept(record(batch("t0", Split.TEST, 28, (byte) 1)), seen, store, stats);
        assertEquals(0, store.count());
        assertEquals(3, stats.bad);
        assertEquals(3, rejected.size());
        assertTrue(rejected.get(0).startsWith("0: ") && rejected.get(0).contains("image batch"), rejected.get(0));
        assertTrue(rejected.get(1).startsWith("1: ") && rejected.get(1).contains("14x14"), rejected.get(1));
        assertTrue(rejected.get(2).startsWith("2: ") && rejected.get(2).contains("split TEST does not belong"),
                rejected.get(2));
        assertEquals(0, seen.batchIds(), "a rejected batch does not take its id");
    }

    /** A positioned (format 2) batch of images first..first+n-1 of source "content", image i all (i % 100) + 1. */
    static byte[] positioned(String id, long first, int n, int total, int batches) {
        byte[] labels = new byte[n];
        byte[] pixels = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) ((first + i) % 10);
            java.util.Arrays.fill(pixels, i * 784, (i + 1) * 784, (byte) ((first + i) % 100 + 1));
        }
        return ImageBatchCodec.encode(new ImageBatch("d", id, Split.TRAIN, 0, batches, 28, 28, labels, pixels,
                new ImageBatch.Position("content", first, total)));
    }

    @Test
    void theSameImagesInAnotherBatchSizeAreTakenOnce() {
        SampleStore big = new SampleStore(784, 16);
        // 10 images in batches of 4 (0-3, 4-7, 8-9), then again in batches of 3 (0-2, 3-5, 6-8, 9)
        for (int first = 0; first < 10; first += 4) {
            intake.accept(record(positioned("bs4-" + first, first, Math.min(4, 10 - first), 10, 3)), seen, big, stats);
        }
        assertEquals(10, big.count());
        for (int first = 0; first < 10; first += 3) {
            intake.accept(record(positioned("bs3-" + first, first, Math.min(3, 10 - first), 10, 4)), seen, big, stats);
        }
        assertEquals(10, big.count(), "no image twice: " + stats);
        assertEquals(10, stats.duplicateImages);
        assertEquals(4, stats.duplicates, "every batch of the second layout was already taken whole");
        for (int i = 0; i < 10; i++) {
            var px = java.nio.ByteBuffer.allocate(784);
            big.copyPixels(i, px);
            assertEquals(i + 1, px.get(0), "image " + i + " is the one published at position " + i);
            assertEquals(i % 10, big.label(i));
        }
        assertEquals(List.of(), rejected);
    }

    @Test
    void aPartlyNewBatchAddsOnlyItsNewImages() {
        SampleStore big = new SampleStore(784, 16);
        // a publication limited to the first 5 images, then the whole split of 8 in one batch
        intake.accept(record(positioned("limit5", 0, 5, 5, 1)), seen, big, stats);
        intake.accept(record(positioned("all8", 0, 8, 8, 1)), seen, big, stats);
        assertEquals(8, big.count(), stats.toString());
        assertEquals(5, stats.duplicateImages);
        var px = java.nio.ByteBuffer.allocate(784);
        big.copyPixels(5, px);
        assertEquals(6, px.get(0), "position 5 follows the first five");
    }

    @Test
    void aForgedHugeTotalIsADeadLetterNotAnAnnouncement() {
        // a format-1 record announcing 2^31-1 batches, resealed so only the total is wrong
        byte[] forged = batch("f0", Split.TRAIN, 28, (byte) 1);
        java.nio.ByteBuffer.wrap(forged).putInt(22, Integer.MAX_VALUE);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(forged, 0, forged.length - 4);
        java.nio.ByteBuffer.wrap(forged).putInt(forged.length - 4, (int) crc.getValue());
        intake.accept(record(forged), seen, store, stats);
        assertEquals(0, store.count());
        assertEquals(1, stats.bad);
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).contains("exceeds what a split can hold"), rejected.toString());
    }
}
