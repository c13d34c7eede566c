package dev.fmnist.inference.service;

/** The caller sent something unusable; the message is the reason shown to them. */
public class InvalidInputException extends RuntimeException {
    private final Outcome outcome;

    public InvalidInputException(Outcome outcome, String message) {
        super(message);
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
