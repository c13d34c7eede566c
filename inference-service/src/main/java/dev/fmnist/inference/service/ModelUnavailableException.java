package dev.fmnist.inference.service;

import dev.fmnist.support.rest.ApiException;
import java.time.Duration;

/** No model is loaded yet (503, retry in a few seconds): no snapshot of the served model has been read. */
public class ModelUnavailableException extends ApiException {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    public ModelUnavailableException(String message) {
        super(503, message, RETRY_AFTER);
    }
}
