package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/** Publishes weight snapshots and finds a model's latest one on {@link Topics#SNAPSHOTS}. */
public final class SnapshotStore {
    private static final Logger LOG = Logger.getLogger(SnapshotStore.class);

    private final KafkaClients clients;
    private final Producer<byte[], byte[]> producer;
    private final Duration timeout;

    public SnapshotStore(KafkaClients clients, Producer<byte[], byte[]> producer, Duration timeout) {
        this.clients = clients;
        this.producer = producer;
        this.timeout = timeout;
    }

    /**
     * Reads the whole snapshots topic (assign, seek to beginning, read to the end offsets taken
     * now) and returns the given model's snapshot with the highest version. Only that one is kept
     * while reading: older snapshots are decoded, compared and dropped. Undecodable records are
     * skipped with a warning: they cannot be resumed from.
     */
    public Optional<WeightSnapshot> latest(String modelName) {
        byte[] key = modelName.getBytes(StandardCharsets.UTF_8);
        WeightSnapshot[] latest = {null};
        TopicReader.scan(clients, Topics.SNAPSHOTS, timeout, r -> {
            if (r.key() == null || !Arrays.equals(r.key(), key)) {
                return;
            }
            try {
                WeightSnapshot s = WeightSnapshotCodec.decode(r.value());
                if (s.modelName().equals(modelName) && (latest[0] == null || s.version() > latest[0].version())) {
                    latest[0] = s;
                }
            } catch (WireFormatException e) {
                LOG.warnf("skipping undecodable snapshot at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        });
        return Optional.ofNullable(latest[0]);
    }

    /** Sends a snapshot and waits for the broker's acknowledgement (acks=all, idempotent producer). */
    public RecordMetadata publish(WeightSnapshot snapshot) {
        var record = new ProducerRecord<>(Topics.SNAPSHOTS, snapshot.modelName().getBytes(StandardCharsets.UTF_8),
                WeightSnapshotCodec.encode(snapshot));
        try {
            return producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing snapshot v" + snapshot.version(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("snapshot v" + snapshot.version() + " was not acknowledged: "
                    + cause.getMessage(), cause);
        }
    }
}
