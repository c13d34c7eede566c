package dev.fmnist.trainer.service;

/** A run was requested while another one is in progress. */
public class RunInProgressException extends RuntimeException {
    public RunInProgressException(String message) {
        super(message);
    }
}
