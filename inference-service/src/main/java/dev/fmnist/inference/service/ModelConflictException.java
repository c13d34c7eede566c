package dev.fmnist.inference.service;

/** An admin operation does not fit the retained versions (HTTP 409): pin an unknown version, roll back past the oldest. */
public class ModelConflictException extends RuntimeException {
    public ModelConflictException(String message) {
        super(message);
    }
}
