package dev.fmnist.api;

import java.time.Instant;

/**
 * What ingest's {@code GET}/{@code POST /api/v1/datasets/fashion-mnist/publish} answer: a consistent
 * snapshot of the running or last publication. {@code totalImages}/{@code totalBatches} are the whole
 * plan; {@code published*} count what the job sent and Kafka acknowledged; {@code skipped*} what the
 * topics already held; {@code alreadyPublished} is true when that was everything. {@code kafkaRetries}
 * counts the tries Kafka failed transiently; {@code waitingFor} says why the job waits while it is
 * {@link State#WAITING_FOR_KAFKA} (else null).
 */
public record PublishStatus(String jobId, State state, Options options, String source, String origin, String datasetId,
                            long totalImages, long publishedImages, long totalBatches, long publishedBatches,
                            long publishedBytes, long skippedImages, long skippedBatches, boolean alreadyPublished,
                            double imagesPerSecond, Instant startedAt, Instant finishedAt, String error,
                            int kafkaRetries, String waitingFor, PublishResult result) {

    /**
     * CHECKING: reading the batch ids already on the topics (only with skipPublished);
     * WAITING_FOR_KAFKA: Kafka failed the last try in a way a retry can fix; the job tries again after a backoff.
     */
    public enum State { QUEUED, LOCATING, LOADING, CHECKING, WAITING_FOR_KAFKA, PUBLISHING, SUCCEEDED, FAILED;

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED;
        }
    }

    /**
     * What the job publishes.
     *
     * @param skipPublished send only the batches whose ids are not yet keys on their topic
     */
    public record Options(int batchSize, int trainLimit, int testLimit, boolean skipPublished) {
    }
}
