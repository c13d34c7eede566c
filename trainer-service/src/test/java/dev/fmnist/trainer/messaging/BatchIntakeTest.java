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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class BatchIntakeTest {
    final List<String> rejected = new ArrayList<>();
    final BatchIntake intake = new BatchIntake((r, reason) -> rejected.add(r.offset() + ": " + reason),
            Set.of(Split.TRAIN, Split.USER));
    final Set<String> seen = new HashSet<>();
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
        assertTrue(seen.isEmpty(), "a rejected batch does not take its id");
    }
}
