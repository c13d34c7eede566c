package dev.fmnist.ingest.messaging;

/** Kafka did not take the records (unreachable, timed out, refused); the upload may be retried as is. */
public class PublishFailedException extends RuntimeException {
    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
