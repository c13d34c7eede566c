package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.InferenceMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

/**
 * Dead letters of the request path, written so that no record can stop the path: the copy is
 * bounded ({@link DeadLetters#bounded}, value up to {@code fmnist.inference.dead-letter-max-value-bytes}); a copy the broker refuses as too large is sent again without its
 * value; transient broker errors are retried with doubling backoff; when every attempt fails the
 * loss is logged with the record's coordinates and counted ({@code fmnist.inference.dead.letters.failed})
 * and the path goes on. The returned future never fails.
 */
@ApplicationScoped
public class RequestDeadLetters {
    /** The source of a dead letter: where the record was read. */
    public record Source(String topic, int partition, long offset) {
    }

    private static final Logger LOG = Logger.getLogger(RequestDeadLetters.class);
    private final DeadLetterPublisher publisher;
    private final InferenceMetrics metrics;
    private final int maxValueBytes;
    private final int attempts;
    private final Duration backoff;

    public RequestDeadLetters(DeadLetterPublisher publisher, InferenceMetrics metrics, InferenceConfig config) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.maxValueBytes = config.deadLetterMaxValueBytes();
        this.attempts = Math.max(1, config.deadLetterAttempts());
        this.backoff = config.deadLetterBackoff();
    }

    /** @return completes with true once the dead letter is on the broker, false when it was given up */
    public CompletableFuture<Boolean> send(Source source, byte[] key, byte[] value, String reason) {
        ProducerRecord<byte[], byte[]> copy = copy(source, key, value, reason, maxValueBytes);
        return attempt(copy, source, key, value, reason, 1, backoff);
    }

    private CompletableFuture<Boolean> attempt(ProducerRecord<byte[], byte[]> record, Source source,
                                               byte[] key, byte[] value, String reason, int n, Duration pause) {
        return publisher.send(record).handle((ok, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(true);
            }
            Throwable cause = unwrap(error);
            if (cause instanceof RecordTooLargeException && record.value() != null) {
                LOG.warnf("dead letter of %s refused as too large; sending it without its value", source);
                return attempt(copy(source, key, value, reason, 0), source,
                        key, value, reason, n, pause);
            }
            if (retriable(cause) && n < attempts) {
                LOG.warnf("dead letter of %s failed (%s); attempt %d of %d in %s", source, cause, n + 1, attempts, pause);
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS))
                        .thenCompose(x -> attempt(record, source, key, value, reason, n + 1, pause.multipliedBy(2)));
            }
            metrics.deadLetterFailed();
            LOG.errorf(cause, "LOST: could not dead-letter %s after %d attempt(s); reason was: %s", source, n, reason);
            return CompletableFuture.completedFuture(false);
        }).thenCompose(f -> f);
    }

    private ProducerRecord<byte[], byte[]> copy(Source source, byte[] key, byte[] value, String reason, int valueBytes) {
        return DeadLetters.bounded(publisher.service(), source.topic(), source.partition(), source.offset(), key, value,
                reason, valueBytes);
    }

    static boolean retriable(Throwable cause) {
        return cause instanceof RetriableException || cause instanceof java.util.concurrent.TimeoutException;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
