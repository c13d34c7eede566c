package dev.fmnist.api;

import java.util.Map;

/**
 * What an ingest dataset publication put on Kafka: images, batches and bytes count only the records sent (not
 * those skipped because the topics already held them).
 *
 * @param offsets per topic: the offsets of its first and last record of this publication
 */
public record PublishResult(String datasetId, int trainImages, int testImages, long trainBatches, long testBatches,
                            long bytes, Map<String, OffsetRange> offsets, String firstBatchId, String lastBatchId,
                            long durationMillis) {

    public record OffsetRange(int partition, long first, long last) {
    }

    public double imagesPerSecond() {
        return durationMillis == 0 ? 0 : (trainImages + testImages) * 1000.0 / durationMillis;
    }
}
