package dev.fmnist.trainer.service;

import dev.fmnist.trainer.messaging.FencedException;
import java.time.Duration;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The self-healing rule: which failures of a run are a Kafka outage (retry, for as long as it
 * lasts) and which no retry can fix (FAILED with the reason), and how long to wait between tries.
 */
final class KafkaOutage {
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private KafkaOutage() {
    }

    /**
     * Whether the failure, or anything it was caused by, is one of Kafka's retriable errors
     * (timeouts, lost connections, leader changes: what a broker restart or a network cut produces),
     * or an acknowledgement that did not come in time.
     * A fenced trainer is never retried: another trainer owns the model now.
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FencedException) {
                return false;
            }
            // java.util.concurrent.TimeoutException: a snapshot's send future not acknowledged in time
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The wait before retry number {@code attempt} (1-based): doubling from 1 s, at most 30 s. */
    static Duration backoff(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 5);
        Duration d = FIRST_BACKOFF.multipliedBy(1L << shift);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
