package dev.fmnist.contracts.image;

import java.time.Duration;

/**
 * The decode budget is spent by other decodes right now: the image is fine, try again shortly
 * (HTTP 503 with Retry-After; a Kafka request waits and is retried instead of being dead-lettered).
 */
public class DecodeBusyException extends RuntimeException {
    private final Duration retryAfter;

    public DecodeBusyException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** A sensible pause before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** {@link #retryAfter()} in whole seconds, at least 1, for a Retry-After header. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
