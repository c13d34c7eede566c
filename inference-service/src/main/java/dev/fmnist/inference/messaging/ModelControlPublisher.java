package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.ModelControl;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.Topics;
import dev.fmnist.inference.service.ModelUnavailableException;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.snapshots.SnapshotTrust;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes serving decisions to {@link Topics#MODEL_CONTROL}: pins keyed by model name, promotion verdicts by
 * {@code <model>/v<version>} (compaction keeps the latest of each), signed with inference's model-control key ({@link SnapshotTrust#encode}) so
 * that every replica can tell them from a forged record. A plain
 * producer, not a channel: the caller waits for the offset to read it back.
 */
@ApplicationScoped
public class ModelControlPublisher {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);
    private final Producer<byte[], byte[]> producer;
    private final SnapshotTrust trust;

    public ModelControlPublisher(KafkaClientFactory kafka, SnapshotTrust trust) {
        this.trust = trust;
        this.producer = producer(kafka);
    }

    /** A reliable producer that gives a send up within {@link #SEND_TIMEOUT}, so an operator's request gets an answer. */
    static Producer<byte[], byte[]> producer(KafkaClientFactory kafka) {
        return kafka.reliableProducer("inference-model-control", Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis() - 1000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_TIMEOUT.toMillis()));
    }

    /** Where a written record landed, to wait for it to be read back. */
    public record Written(TopicPartition partition, long offset) {
    }

    /**
     * Writes the decision and waits for the broker to have it.
     *
     * @throws ModelUnavailableException when there is no key to sign with or Kafka does not take it
     */
    public Written publish(ModelControl control) {
        byte[] value;
        try {
            value = trust.encode(control);
        } catch (IllegalStateException e) {
            throw new ModelUnavailableException(e.getMessage());
        }
        return send(control.modelName(), value);
    }

    /**
     * Writes a promotion verdict under its own key ({@code <model>/v<version>}) and waits for the broker to have it.
     *
     * @throws ModelUnavailableException when there is no key to sign with or Kafka does not take it
     */
    public Written publish(ModelVerdict verdict) {
        byte[] value;
        try {
            value = trust.encode(verdict);
        } catch (IllegalStateException e) {
            throw new ModelUnavailableException(e.getMessage());
        }
        return send(verdict.key(), value);
    }

    /**
     * Deletes the verdict on {@code version} of {@code modelName} from the compacted topic (a tombstone of its key),
     * once it can no longer matter ({@link dev.fmnist.inference.domain.ModelRegistry#releasedVerdicts}). Deleting an
     * already deleted key is harmless, so every replica may do it.
     *
     * @throws ModelUnavailableException when Kafka does not take it
     */
    public Written deleteVerdict(String modelName, long version) {
        return send(ModelVerdict.key(modelName, version), null);
    }

    private Written send(String key, byte[] value) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.MODEL_CONTROL,
                key.getBytes(StandardCharsets.UTF_8), value);
        try {
            RecordMetadata meta = producer.send(record).get(SEND_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return new Written(new TopicPartition(meta.topic(), meta.partition()), meta.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while writing the model control record");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ModelUnavailableException("could not confirm the write to " + Topics.MODEL_CONTROL + ": "
                    + cause.getMessage() + " (GET /api/v1/model/versions shows whether it took effect)");
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
