package dev.fmnist.support.kafka;

import io.smallrye.faulttolerance.api.Guard;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The services' one retry policy for Kafka, as SmallRye Fault Tolerance guards: which failures a retry
 * can fix (the broker is down, restarting, frozen or unreachable) and how long to wait between tries.
 * A fenced writer and bad data (a record too large, one that does not serialize) always abort: a retry
 * cannot fix them, and retrying a fenced writer would write over its successor. Refused credentials are
 * not an outage either ({@link #isTransient} is false), but a caller that follows a topic for good may
 * keep trying them, since an operator can grant the ACL later.
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
     * or an acknowledgement that did not come in time ({@link java.util.concurrent.TimeoutException});
     * never when anything in the chain {@link #aborts}.
     */
    public static boolean isTransient(Throwable failure) {
        return !aborts(failure) && causes(failure)
                .anyMatch(t -> t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException);
    }

    /** Whether the failure or a cause is one no retry fixes: fencing, bad data, an interrupt or a wakeup (the caller is stopping). */
    static boolean aborts(Throwable failure) {
        return causes(failure).anyMatch(t -> t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                || t instanceof FencedInstanceIdException || t instanceof RecordTooLargeException
                || t instanceof SerializationException || t instanceof InterruptedException || t instanceof WakeupException);
    }

    private static Stream<Throwable> causes(Throwable failure) {
        return Stream.iterate(failure, Objects::nonNull, t -> t.getCause() == t ? null : t.getCause());
    }

    /** The wait before retry number {@code attempt} (1-based): doubling from 1 s, at most 30 s. */
    public static Duration backoff(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 5);
        Duration d = FIRST_BACKOFF.multipliedBy(1L << shift);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /**
     * Retries the {@link #isTransient} failures for as long as the outage lasts, waiting {@link #backoff}
     * (1 s doubling to 30 s); anything else ends the call with its failure, for the caller to report.
     */
    public static Guard whileTransient(Consumer<Throwable> beforeRetry) {
        return guard(KafkaOutage::isTransient, FIRST_BACKOFF, MAX_BACKOFF, -1, beforeRetry);
    }

    /**
     * The policy with the caller's own condition and waits: retries a failure {@code retryable} accepts and
     * that does not {@link #aborts}, waiting {@code first} and doubling up to {@code max}
     * ({@code first == max}: a constant wait), at most {@code maxRetries} times (-1: no limit).
     * {@code beforeRetry} sees the failure before each retry (after the wait), to log it.
     */
    public static Guard guard(Predicate<Throwable> retryable, Duration first, Duration max, int maxRetries,
                              Consumer<Throwable> beforeRetry) {
        Guard.Builder.RetryBuilder b = Guard.create().withRetry()
                .maxRetries(maxRetries).maxDuration(0, ChronoUnit.MILLIS).jitter(0, ChronoUnit.MILLIS)
                .delay(first.toMillis(), ChronoUnit.MILLIS).whenException(t -> !aborts(t) && retryable.test(t) && !Thread.currentThread().isInterrupted()).beforeRetry(beforeRetry);
        if (max.compareTo(first) > 0) {
            b = b.withExponentialBackoff().factor(2).maxDelay(max.toMillis(), ChronoUnit.MILLIS).done();
        }
        return b.done().build();
    }
}
