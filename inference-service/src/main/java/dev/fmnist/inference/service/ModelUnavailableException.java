package dev.fmnist.inference.service;

/** No model is loaded yet (HTTP 503): no snapshot of the served model has been read. */
public class ModelUnavailableException extends RuntimeException {
    public ModelUnavailableException(String message) {
        super(message);
    }
}
