package dev.fmnist.ingest.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.ingest.testing.TestFiles;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cutting the real data into batches: ids, sequence, totals, subsets. */
class DatasetPlannerTest {
    private static FashionMnistData data;

    @BeforeAll
    static void load() {
        data = DatasetPlanner.load(TestFiles.dataDir());
    }

    @Test
    void fullDatasetIsCutIntoDeterministicBatches() {
        PublishPlan plan = DatasetPlanner.plan(data, 256, 0, 0);
        assertEquals(data.datasetId(), plan.datasetId());
        assertEquals(70_000, plan.totalImages());
        assertEquals(235, plan.batches(Split.TRAIN));
        assertEquals(40, plan.batches(Split.TEST));

        PublishPlan.Record first = plan.records().get(0);
        assertEquals(Topics.TRAIN, first.topic());
        assertEquals(data.datasetId() + "/train/bs256/000000", first.batchId());
        ImageBatch decoded = ImageBatchCodec.decode(first.value());
        assertEquals(first.batchId(), decoded.batchId());
        assertEquals(Split.TRAIN, decoded.split());
        assertEquals(0, decoded.sequence());
        assertEquals(235, decoded.totalBatches());
        assertArrayEquals(new byte[]{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(decoded.labels(), 10));
        assertArrayEquals(Arrays.copyOf(data.train().images().pixels(), 256 * 784), decoded.pixels());

        ImageBatch lastTrain = ImageBatchCodec.decode(plan.records().get(234).value());
        assertEquals(60_000 - 234 * 256, lastTrain.count());
        assertEquals(234, lastTrain.sequence());
        ImageBatch lastTest = ImageBatchCodec.decode(plan.records().get(274).value());
        assertEquals(Split.TEST, lastTest.split());
        assertEquals(Topics.TEST, plan.records().get(274).topic());
        assertEquals(data.datasetId() + "/test/bs256/000039", lastTest.batchId());
        assertEquals(10_000 - 39 * 256, lastTest.count());
        assertEquals(40, lastTest.totalBatches());
    }

    @Test
    void planningTwiceGivesTheSameIdsAndBytes() {
        PublishPlan a = DatasetPlanner.plan(data, 256, 0, 0);
        PublishPlan b = DatasetPlanner.plan(DatasetPlanner.load(TestFiles.dataDir()), 256, 0, 0);
        assertEquals(ids(a), ids(b));
        for (int i = 0; i < a.records().size(); i++) {
            assertArrayEquals(a.records().get(i).value(), b.records().get(i).value());
        }
    }

    @Test
    void aSubsetHasItsOwnDatasetId() {
        PublishPlan subset = DatasetPlanner.plan(data, 256, 6_000, 1_000);
        assertEquals(data.datasetId() + "-train6000-test1000", subset.datasetId());
        assertEquals(7_000, subset.totalImages());
        assertEquals(24, subset.batches(Split.TRAIN));
        assertEquals(4, subset.batches(Split.TEST));
        assertTrue(subset.records().get(0).batchId().startsWith(subset.datasetId() + "/train/"));

        PublishPlan trainOnly = DatasetPlanner.plan(data, 256, 1_000, 0);
        assertEquals(data.datasetId() + "-train1000-test10000", trainOnly.datasetId());
        // a limit at or beyond the split's size takes it whole: that is the full dataset
        assertEquals(data.datasetId(), DatasetPlanner.plan(data, 256, 60_000, 99_999).datasetId());
    }

    @Test
    void theBatchSizeIsPartOfTheBatchIds() {
        PublishPlan a = DatasetPlanner.plan(data, 256, 1_000, 1_000);
        PublishPlan b = DatasetPlanner.plan(data, 100, 1_000, 1_000);
        assertEquals(a.datasetId(), b.datasetId());
        assertNotEquals(a.records().get(1).batchId(), b.records().get(1).batchId());
        assertEquals(10, b.batches(Split.TRAIN));
    }

    @Test
    void badOptionsNameTheProperty() {
        var e = assertThrows(IllegalArgumentException.class, () -> DatasetPlanner.plan(data, 0, 0, 0));
        assertTrue(e.getMessage().contains("fmnist.ingest.batch-size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DatasetPlanner.plan(data, 1148, 0, 0));
        assertTrue(e.getMessage().contains("1..1147"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DatasetPlanner.plan(data, 256, -1, 0));
        assertTrue(e.getMessage().contains("fmnist.ingest.train-limit"), e.getMessage());
        // the largest batch still fits a record
        assertEquals(1147, ImageBatchCodec.decode(DatasetPlanner.plan(data, 1147, 2_000, 10).records().get(0).value()).count());
    }

    @Test
    void onlyTheBatchesMissingFromTheirTopicAreLeftToSend() {
        PublishPlan plan = DatasetPlanner.plan(data, 256, 0, 0);
        String id = plan.datasetId();
        Map<String, Set<String>> wanted = plan.batchIdsByTopic();
        assertEquals(235, wanted.get(Topics.TRAIN).size());
        assertEquals(40, wanted.get(Topics.TEST).size());
        assertTrue(wanted.get(Topics.TEST).contains(id + "/test/bs256/000039"));

        Map<String, Set<String>> present = Map.of(
                Topics.TRAIN, Set.of(id + "/train/bs256/000000", id + "/train/bs256/000234", "user-0123456789abcdef",
                        id + "-train600-test100/train/bs256/000001", id + "/train/bs100/000001",
                        // a test batch id on the train topic is not the test batch being present
                        id + "/test/bs256/000005"),
                Topics.TEST, Set.of(id + "/test/bs256/000039"));
        DatasetPlanner.Remaining remaining = DatasetPlanner.remaining(plan, present);
        assertEquals(3, remaining.skippedBatches());
        assertEquals(2, remaining.skippedBatches(Split.TRAIN));
        assertEquals(256 + 96, remaining.skippedImages(Split.TRAIN));
        assertEquals(16, remaining.skippedImages(Split.TEST));
        assertEquals(256 + 96 + 16, remaining.skippedImages());
        assertFalse(remaining.nothingToSend());

        PublishPlan toSend = remaining.toSend();
        assertEquals(272, toSend.records().size());
        assertEquals(plan.datasetId(), toSend.datasetId());
        assertEquals(70_000, toSend.totalImages(), "the dataset's counts stay; only the records shrink");
        assertEquals(60_000 - 256 - 96, toSend.images(Split.TRAIN));
        assertEquals(10_000 - 16, toSend.images(Split.TEST));
        assertEquals(id + "/train/bs256/000001", toSend.records().get(0).batchId());
        assertEquals(id + "/train/bs256/000233", toSend.records().get(232).batchId());
        assertEquals(id + "/test/bs256/000000", toSend.records().get(233).batchId());
        assertTrue(ids(toSend).contains(id + "/test/bs256/000005"));
        assertEquals(id + "/test/bs256/000038", toSend.records().get(271).batchId());
        // the records kept are the plan's own, in the plan's order
        List<String> expected = ids(plan).stream().filter(b -> !b.endsWith("/train/bs256/000000")
                && !b.endsWith("/train/bs256/000234") && !b.endsWith("/test/bs256/000039")).toList();
        assertEquals(expected, ids(toSend));
        assertArrayEquals(plan.records().get(1).value(), toSend.records().get(0).value());
    }

    @Test
    void nothingIsLeftWhenTheTopicsHoldEverythingAndAllWhenTheyAreEmpty() {
        PublishPlan plan = DatasetPlanner.plan(data, 256, 0, 0);
        DatasetPlanner.Remaining all = DatasetPlanner.remaining(plan, plan.batchIdsByTopic());
        assertTrue(all.nothingToSend());
        assertEquals(275, all.skippedBatches());
        assertEquals(70_000, all.skippedImages());
        assertEquals(0, all.toSend().images(Split.TRAIN) + all.toSend().images(Split.TEST));

        DatasetPlanner.Remaining none = DatasetPlanner.remaining(plan, Map.of());
        assertEquals(0, none.skippedBatches());
        assertEquals(ids(plan), ids(none.toSend()));
        // a subset is another dataset: the full set's batches on the topics do not count for it
        PublishPlan subset = DatasetPlanner.plan(data, 256, 1_000, 300);
        DatasetPlanner.Remaining fresh = DatasetPlanner.remaining(subset, plan.batchIdsByTopic());
        assertEquals(0, fresh.skippedBatches());
        assertEquals(6, fresh.toSend().records().size());
    }

    private static List<String> ids(PublishPlan plan) {
        return plan.records().stream().map(PublishPlan.Record::batchId).toList();
    }
}
