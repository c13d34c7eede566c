package dev.fmnist.inference.service;

import dev.fmnist.support.rest.ApiException;

/** The caller sent something unusable (400, or 413 when too large); the message is the reason shown to them. */
public class InvalidInputException extends ApiException {
    private final Outcome outcome;

    public InvalidInputException(Outcome outcome, String message) {
        super(outcome == Outcome.TOO_LARGE ? 413 : 400, message);
        this.outcome = outcome;
    }

    public static InvalidInputException badRequest(String message) {
        return new InvalidInputException(Outcome.BAD_REQUEST, message);
    }

    public static InvalidInputException tooLarge(String message) {
        return new InvalidInputException(Outcome.TOO_LARGE, message);
    }

    public Outcome outcome() {
        return outcome;
    }
}
