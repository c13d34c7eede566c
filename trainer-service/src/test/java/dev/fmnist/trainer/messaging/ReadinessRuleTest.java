package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadinessRuleTest {
    static ImageBatch batch(String dataset, Split split, long sequence, int total, byte... labels) {
        return new ImageBatch(dataset, dataset + "-" + split + "-" + sequence, split, sequence, total, 28, 28, labels,
                new byte[labels.length * 784]);
    }

    /** A positioned batch: images first..first+n-1 of a split of totalImages, in a layout of totalBatches. */
    static ImageBatch positioned(String dataset, Split split, long first, int n, int totalImages, int totalBatches) {
        byte[] labels = new byte[n];
        return new ImageBatch(dataset, dataset + "-" + first + "x" + n, split, 0, totalBatches, 28, 28, labels,
                new byte[n * 784], new ImageBatch.Position("content", first, totalImages));
    }

    static ImageBatch upload(int i) {
        return batch("user", Split.USER, 0, 0, (byte) 1);
    }

    static String reason(ReadinessRule rule) {
        return rule.check(false).reason();
    }

    @Test
    void bothTopicsNeedALabelledImage() {
        ReadinessRule rule = new ReadinessRule();
        assertEquals("waiting for labelled images on " + Topics.TRAIN, reason(rule));
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 0, 0, (byte) ImageBatch.UNLABELLED));
        assertEquals("waiting for labelled images on " + Topics.TRAIN, reason(rule), "unlabelled images do not count");
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 1, 0, (byte) 3));
        assertEquals("waiting for labelled images on " + Topics.TEST, reason(rule));
        assertFalse(rule.check(true).ready(), "not even the deadline trains on nothing");
        rule.observe(Topics.TEST, batch("d", Split.TEST, 0, 0, (byte) 1));
        assertEquals(ReadinessRule.READY, reason(rule), "open-ended records need no settling");
    }

    @Test
    void announcedTotalsMustBeCompleteAndSettled() {
        ReadinessRule rule = new ReadinessRule();
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 0, 3, (byte) 1));
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 2, 3, (byte) 1));
        rule.observe(Topics.TEST, batch("d", Split.TEST, 0, 1, (byte) 1));
        assertEquals("waiting for " + Topics.TRAIN + " d TRAIN of 3 batches: 2 of 3 batches", reason(rule));
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 2, 3, (byte) 1));
        assertEquals("waiting for " + Topics.TRAIN + " d TRAIN of 3 batches: 2 of 3 batches", reason(rule),
                "a duplicate sequence number does not fill the gap");
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 1, 3, (byte) 1));
        assertEquals("waiting for the dataset records to settle", reason(rule));
        assertEquals(ReadinessRule.READY, reason(rule));
    }

    @Test
    void anotherBatchSizeOfTheSameImagesNeitherFillsNorOpensAGap() {
        ReadinessRule rule = new ReadinessRule();
        rule.observe(Topics.TEST, positioned("d", Split.TEST, 0, 10, 10, 1));
        // 10 train images in batches of 4: complete
        rule.observe(Topics.TRAIN, positioned("d", Split.TRAIN, 0, 4, 10, 3));
        rule.observe(Topics.TRAIN, positioned("d", Split.TRAIN, 8, 2, 10, 3));
        assertEquals("waiting for " + Topics.TRAIN + " d TRAIN: 6 of 10 images", reason(rule));
        // the missing images 4-7 come in batches of 3 (3-5, 6-8) of a second publication: complete now
        rule.observe(Topics.TRAIN, positioned("d", Split.TRAIN, 3, 3, 10, 4));
        rule.observe(Topics.TRAIN, positioned("d", Split.TRAIN, 6, 3, 10, 4));
        rule.check(false);
        assertEquals(ReadinessRule.READY, reason(rule));
        // a half-sent third publication of the same images changes nothing that is missing
        rule.observe(Topics.TRAIN, positioned("d", Split.TRAIN, 0, 1, 10, 10));
        rule.check(false);
        assertEquals(ReadinessRule.READY, reason(rule));
    }

    @Test
    void aSteadyStreamOfUploadsNeverHoldsTrainingBack() {
        ReadinessRule rule = new ReadinessRule();
        rule.observe(Topics.TRAIN, batch("d", Split.TRAIN, 0, 1, (byte) 1));
        rule.observe(Topics.TEST, batch("d", Split.TEST, 0, 1, (byte) 1));
        rule.check(false);
        for (int i = 0; i < 5; i++) {
            rule.observe(Topics.TRAIN, upload(i));
            assertEquals(ReadinessRule.READY, reason(rule), "uploads arrived between two checks");
        }
    }

    @Test
    void pastTheDeadlineTheRunTrainsOnWhatIsThereAndSaysWhatIsMissing() {
        ReadinessRule rule = new ReadinessRule();
        rule.observe(Topics.TRAIN, positioned("real", Split.TRAIN, 0, 5, 5, 1));
        rule.observe(Topics.TEST, positioned("real", Split.TEST, 0, 5, 5, 1));
        // one forged announcement of a dataset whose other 199 batches never come
        rule.observe(Topics.TRAIN, batch("forged", Split.TRAIN, 7, 200, (byte) 1));
        for (int i = 0; i < 3; i++) {
            assertFalse(rule.check(false).ready());
        }
        ReadinessRule.Verdict late = rule.check(true);
        assertTrue(late.ready());
        assertEquals(List.of(Topics.TRAIN + " forged TRAIN of 200 batches: 1 of 200 batches"), late.missing());
        assertTrue(late.reason().startsWith("readiness deadline passed: training on what is there; missing "),
                late.reason());
    }

    @Test
    void theLargestAnnouncedSizeIsWaitedFor() {
        ReadinessRule rule = new ReadinessRule();
        rule.observe(Topics.TEST, positioned("d", Split.TEST, 0, 5, 5, 1));
        rule.observe(Topics.TRAIN, positioned("d", Split.TRAIN, 0, 5, 5, 1));
        rule.observe(Topics.TRAIN, positioned("d", Split.TRAIN, 0, 1, 8, 8));
        assertEquals("waiting for " + Topics.TRAIN + " d TRAIN: 5 of 8 images", reason(rule));
    }
}
