package dev.fmnist.ingest.dataset;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.idx.IdxFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the four files and cuts them into encoded ImageBatch records. Batch ids are deterministic:
 * {@code <datasetId>/<split>/bs<batchSize>/<sequence, 6 digits>}, e.g.
 * {@code fashion-mnist-0123456789abcdef/train/bs256/000017}; the batch size is part of the id
 * because the same sequence number names different images under another batch size.
 */
public final class DatasetPlanner {
    /** Most images per batch: a record carries at most {@link ImageBatchCodec#MAX_PIXEL_BYTES} pixel bytes. */
    public static final int MAX_BATCH_SIZE = ImageBatchCodec.MAX_PIXEL_BYTES / FashionMnist.PIXELS;

    private DatasetPlanner() {
    }

    /**
     * Reads and checks all four files of a directory.
     *
     * @throws DatasetException naming the file that is missing, corrupt or truncated
     */
    public static FashionMnistData load(Path dir) {
        try {
            return FashionMnistData.load(dir);
        } catch (IdxFormatException e) {
            throw new DatasetException("cannot read Fashion-MNIST: " + e.getMessage(), e);
        }
    }

    /** Checks the publication options; the message names the property that is wrong. */
    public static void validate(int batchSize, int trainLimit, int testLimit) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("fmnist.ingest.batch-size " + batchSize + " is not in 1.." + MAX_BATCH_SIZE);
        }
        if (trainLimit < 0) {
            throw new IllegalArgumentException("fmnist.ingest.train-limit " + trainLimit + " is negative (0 = all)");
        }
        if (testLimit < 0) {
            throw new IllegalArgumentException("fmnist.ingest.test-limit " + testLimit + " is negative (0 = all)");
        }
    }

    /**
     * Cuts the data into encoded batches. A limit of 0 (or one at least the split's size) takes the
     * whole split; a smaller one takes the first images and changes the dataset id.
     */
    public static PublishPlan plan(FashionMnistData data, int batchSize, int trainLimit, int testLimit) {
        validate(batchSize, trainLimit, testLimit);
        int train = take(data.train().count(), trainLimit);
        int test = take(data.test().count(), testLimit);
        String datasetId = datasetId(data.datasetId(), train, data.train().count(), test, data.test().count());
        List<PublishPlan.Record> records = new ArrayList<>();
        cut(records, data.datasetId(), datasetId, Split.TRAIN, Topics.TRAIN, data.train(), train, batchSize);
        cut(records, data.datasetId(), datasetId, Split.TEST, Topics.TEST, data.test(), test, batchSize);
        return new PublishPlan(datasetId, train, test, batchSize, List.copyOf(records));
    }

    /**
     * What is left of a plan once the batches the topics already hold are taken out. A batch counts as
     * present only when its id is a key on its own topic; order is kept.
     *
     * @param present per topic, the batch ids found on it (other keys are ignored)
     */
    public static Remaining remaining(PublishPlan plan, Map<String, Set<String>> present) {
        List<PublishPlan.Record> send = new ArrayList<>();
        List<PublishPlan.Record> skipped = new ArrayList<>();
        for (PublishPlan.Record r : plan.records()) {
            (present.getOrDefault(r.topic(), Set.of()).contains(r.batchId()) ? skipped : send).add(r);
        }
        return new Remaining(new PublishPlan(plan.datasetId(), plan.trainImages(), plan.testImages(), plan.batchSize(),
                List.copyOf(send)), List.copyOf(skipped));
    }

    /**
     * A plan split into what still has to be sent and what the topics already hold.
     *
     * @param toSend  the plan with only the missing records (same datasetId, counts and batch size)
     * @param skipped the records already on their topic
     */
    public record Remaining(PublishPlan toSend, List<PublishPlan.Record> skipped) {

        public int skippedBatches() {
            return skipped.size();
        }

        public long skippedBatches(Split split) {
            return skipped.stream().filter(r -> r.split() == split).count();
        }

        public long skippedImages() {
            return skipped.stream().mapToLong(PublishPlan.Record::images).sum();
        }

        public long skippedImages(Split split) {
            return skipped.stream().filter(r -> r.split() == split).mapToLong(PublishPlan.Record::images).sum();
        }

        /** Whether the topics already hold every batch of the plan. */
        public boolean nothingToSend() {
            return toSend.records().isEmpty();
        }
    }

    static String datasetId(String contentId, int train, int trainAll, int test, int testAll) {
        if (train == trainAll && test == testAll) {
            return contentId;
        }
        return contentId + "-train" + train + "-test" + test;
    }

    public static String batchId(String datasetId, Split split, int batchSize, long sequence) {
        return String.format("%s/%s/bs%d/%06d", datasetId, split.name().toLowerCase(java.util.Locale.ROOT), batchSize, sequence);
    }

    private static int take(int available, int limit) {
        return limit == 0 ? available : Math.min(limit, available);
    }

    /**
     * Each batch carries its position in the files ({@link ImageBatch.Position}: the content id, the index of
     * its first image), so the same images published with another batch size or limit are recognised as such.
     */
    private static void cut(List<PublishPlan.Record> out, String contentId, String datasetId, Split split, String topic,
                            FashionMnistData.Split data, int images, int batchSize) {
        if (images == 0) {
            return;
        }
        int rows = data.images().rows();
        int cols = data.images().cols();
        int size = rows * cols;
        int total = (images + batchSize - 1) / batchSize;
        byte[] pixels = data.images().pixels();
        for (int seq = 0; seq < total; seq++) {
            int from = seq * batchSize;
            int to = Math.min(images, from + batchSize);
            String id = batchId(datasetId, split, batchSize, seq);
            ImageBatch batch = new ImageBatch(datasetId, id, split, seq, total, rows, cols,
                    Arrays.copyOfRange(data.labels(), from, to),
                    Arrays.copyOfRange(pixels, from * size, to * size), new ImageBatch.Position(contentId, from, images));
            out.add(new PublishPlan.Record(topic, split, id, seq, to - from, ImageBatchCodec.encode(batch)));
        }
    }
}
