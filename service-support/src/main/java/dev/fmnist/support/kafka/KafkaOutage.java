package dev.fmnist.support.kafka;

import java.time.Duration;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The services' one rule for a Kafka outage: which failures a retry can fix (the broker is down,
 * restarting, frozen or unreachable) and how long to wait between tries. Everything else (bad data,
 * a record too large, no authorization, a fenced producer) is for the caller to report as failed.
 */
public final class KafkaOutage {
    /** The first wait; each further retry doubles it. */
    public static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /** The longest wait between two tries, however long the outage lasts. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private KafkaOutage() {
    }

    /**
     * Whether the failure, or anything it was caused by, is one of Kafka's retriable errors
     * (timeouts, lost connections, leader changes: what a broker restart or a network cut produces),
     * or an acknowledgement that did not come in time ({@link java.util.concurrent.TimeoutException}).
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The wait before retry number {@code attempt} (1-based): doubling from 1 s, at most 30 s. */
    public static Duration backoff(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 5);
        Duration d = FIRST_BACKOFF.multipliedBy(1L << shift);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
