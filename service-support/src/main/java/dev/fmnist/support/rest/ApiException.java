package dev.fmnist.support.rest;

import java.time.Duration;
import java.util.Optional;

/**
 * A refusal the caller is answered with: the HTTP status, the reason (the {@code error} of the one
 * error body) and, when retrying later may succeed, how long to wait (a Retry-After header). Every one is
 * answered by {@link HttpErrorMappers#api}; services throw it directly, or a thin subclass only where a
 * caller must catch that case apart.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final Duration retryAfter;

    public ApiException(int status, String reason) {
        this(status, reason, null, null);
    }

    /** @param retryAfter null when a retry would not help */
    public ApiException(int status, String reason, Duration retryAfter) {
        this(status, reason, retryAfter, null);
    }

    /** @param cause the infrastructure failure behind the answer: logged by the mapper */
    public ApiException(int status, String reason, Duration retryAfter, Throwable cause) {
        super(reason, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public static ApiException notFound(String reason) {
        return new ApiException(404, reason);
    }

    /** The request does not fit the current state (a run or publication in progress, a version not retained). */
    public static ApiException conflict(String reason) {
        return new ApiException(409, reason);
    }

    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** {@code wait} in whole seconds, at least 1, as a Retry-After header says it. */
    public static String retryAfterHeader(Duration wait) {
        return Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000));
    }
}
