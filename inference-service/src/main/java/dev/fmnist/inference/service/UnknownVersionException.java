package dev.fmnist.inference.service;

/** A model version this replica does not keep (never loaded, or no longer retained): 404. */
public class UnknownVersionException extends RuntimeException {
    public UnknownVersionException(String message) {
        super(message);
    }
}
