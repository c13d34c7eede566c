package dev.fmnist.ingest.messaging;

import dev.fmnist.support.rest.ApiException;

/** Kafka did not take the records (unreachable, timed out, refused): a 503, the upload may be retried as is. */
public class PublishFailedException extends ApiException {
    public PublishFailedException(String message, Throwable cause) {
        super(503, message, null, cause);
    }
}
