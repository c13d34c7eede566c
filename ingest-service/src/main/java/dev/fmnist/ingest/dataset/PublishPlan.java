package dev.fmnist.ingest.dataset;

import dev.fmnist.contracts.Split;
import java.util.List;

/**
 * Every record of one dataset publication, encoded and checked before the first is sent.
 *
 * @param datasetId     id carried by every batch: the content id, plus "-trainN-testM" for a subset
 * @param trainImages   images taken from the train split
 * @param testImages    images taken from the test split
 * @param batchSize     images per batch (the last batch of a split may hold fewer)
 * @param records       train batches in order, then test batches in order
 */
public record PublishPlan(String datasetId, int trainImages, int testImages, int batchSize, List<Record> records) {

    /** One Kafka record: key = batch id, value = an encoded ImageBatch. */
    public record Record(String topic, Split split, String batchId, long sequence, int images, byte[] value) {
    }

    public int totalImages() {
        return trainImages + testImages;
    }

    public long totalBytes() {
        return records.stream().mapToLong(r -> r.value().length).sum();
    }

    public long batches(Split split) {
        return records.stream().filter(r -> r.split() == split).count();
    }
}
