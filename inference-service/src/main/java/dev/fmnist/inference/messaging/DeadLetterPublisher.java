package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.inference.service.InferenceMetrics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Sends unusable records to fmnist.dead-letter, unchanged, with the {@link DeadLetters} headers.
 * A plain reliable producer, not a channel: the contract's record builder is used as is, and
 * {@link RequestDeadLetters} must see a record over the producer limit fail to send a bounded copy.
 */
@ApplicationScoped
public class DeadLetterPublisher {
    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);
    private final Producer<byte[], byte[]> producer;
    private final InferenceMetrics metrics;
    private final String service;

    public DeadLetterPublisher(KafkaClientFactory kafka, InferenceConfig config, InferenceMetrics metrics) {
        this.metrics = metrics;
        this.service = config.serviceName();
        this.producer = producer(kafka);
    }

    static Producer<byte[], byte[]> producer(KafkaClientFactory kafka) {
        return kafka.reliableProducer("inference-dead-letters", Map.of());
    }

    /** Completes when the broker has the dead letter. */
    public CompletableFuture<Void> send(String sourceTopic, int partition, long offset, byte[] key, byte[] value,
                                        String reason) {
        return send(DeadLetters.of(service, sourceTopic, partition, offset, key, value, reason));
    }

    /** Sends a dead letter already built with the {@link DeadLetters} headers; completes when the broker has it. */
    public CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        String source = DeadLetters.header(record.headers(), DeadLetters.SOURCE_TOPIC);
        try {
            producer.send(record, (meta, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    metrics.deadLettered(source);
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            // send() itself throws for a record over max.request.size or a closed producer
            done.completeExceptionally(e);
        }
        LOG.warnf("dead-lettering %s-%s@%s: %s", source, DeadLetters.header(record.headers(), DeadLetters.SOURCE_PARTITION),
                DeadLetters.header(record.headers(), DeadLetters.SOURCE_OFFSET),
                DeadLetters.header(record.headers(), DeadLetters.REASON));
        return done;
    }

    /** The service name written into the headers. */
    public String service() {
        return service;
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
