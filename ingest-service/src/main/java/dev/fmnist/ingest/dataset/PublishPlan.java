package dev.fmnist.ingest.dataset;

import dev.fmnist.contracts.Split;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every record of one dataset publication, encoded and checked before the first is sent.
 *
 * @param datasetId     id carried by every batch: the content id, plus "-trainN-testM" for a subset
 * @param trainImages   images taken from the train split (of the whole dataset, also when
 *                      {@code records} is only the part still missing from the topics)
 * @param testImages    images taken from the test split (likewise)
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

    /** Images in this plan's records of a split. */
    public long images(Split split) {
        return records.stream().filter(r -> r.split() == split).mapToLong(Record::images).sum();
    }

    /** Per topic, the batch ids of the records, in order. */
    public Map<String, Set<String>> batchIdsByTopic() {
        Map<String, Set<String>> ids = new LinkedHashMap<>();
        for (Record r : records) {
            ids.computeIfAbsent(r.topic(), t -> new LinkedHashSet<>()).add(r.batchId());
        }
        return ids;
    }
}
