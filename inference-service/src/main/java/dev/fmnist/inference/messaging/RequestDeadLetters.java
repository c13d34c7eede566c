package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.support.kafka.KafkaOutage;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jboss.logging.Logger;

/**
 * Dead letters of the request path, written so that no record can stop the path: the copy is
 * bounded ({@link DeadLetters#bounded}, value up to {@code fmnist.inference.dead-letter-max-value-bytes}); a copy the broker refuses as too large is sent again without its
 * value; transient broker errors are retried ({@link KafkaOutage}'s guard, without blocking a thread:
 * {@code dead-letter-attempts} tries, waits doubling from {@code dead-letter-backoff}); when every attempt
 * fails the loss is logged with the record's coordinates and counted ({@code fmnist.inference.dead.letters.failed})
 * and the path goes on. The returned future never fails.
 */
@ApplicationScoped
public class RequestDeadLetters {
    /** The source of a dead letter: where the record was read. */
    public record Source(String topic, int partition, long offset) {
    }

    private static final Logger LOG = Logger.getLogger(RequestDeadLetters.class);
    private static final TypeLiteral<CompletionStage<Void>> SENT = new TypeLiteral<>() {
    };
    private final DeadLetterPublisher publisher;
    private final InferenceMetrics metrics;
    private final int maxValueBytes;
    private final Guard retry;

    public RequestDeadLetters(DeadLetterPublisher publisher, InferenceMetrics metrics, InferenceConfig config) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.maxValueBytes = config.deadLetterMaxValueBytes();
        int attempts = Math.max(1, config.deadLetterAttempts());
        Duration backoff = config.deadLetterBackoff();
        this.retry = KafkaOutage.guard(KafkaOutage::isTransient, backoff,
                backoff.multipliedBy(1L << Math.min(attempts - 1, 20)), attempts - 1,
                e -> LOG.warnf("dead letter failed (%s); trying again", e));
    }

    /** @return completes with true once the dead letter is on the broker, false when it was given up */
    public CompletableFuture<Boolean> send(Source source, byte[] key, byte[] value, String reason) {
        AtomicInteger tries = new AtomicInteger();
        return sendRetried(copy(source, key, value, reason, maxValueBytes), tries)
                .exceptionallyCompose(error -> {
                    if (unwrap(error) instanceof RecordTooLargeException) {
                        LOG.warnf("dead letter of %s refused as too large; sending it without its value", source);
                        return sendRetried(copy(source, key, value, reason, 0), tries);
                    }
                    return CompletableFuture.failedFuture(error);
                })
                .handle((ok, error) -> {
                    if (error == null) {
                        return true;
                    }
                    metrics.deadLetterFailed();
                    LOG.errorf(unwrap(error), "LOST: could not dead-letter %s after %d attempt(s); reason was: %s",
                            source, tries.get(), reason);
                    return false;
                });
    }

    private CompletableFuture<Void> sendRetried(ProducerRecord<byte[], byte[]> record, AtomicInteger tries) {
        try {
            return retry.call(() -> {
                tries.incrementAndGet();
                return publisher.send(record);
            }, SENT).toCompletableFuture();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ProducerRecord<byte[], byte[]> copy(Source source, byte[] key, byte[] value, String reason, int valueBytes) {
        return DeadLetters.bounded(publisher.service(), source.topic(), source.partition(), source.offset(), key, value,
                reason, valueBytes);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
