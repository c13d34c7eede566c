package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** What the snapshots topic holds for one model. */
    public record History(WeightSnapshot latest, List<WeightSnapshot> all) {
        public boolean isEmpty() {
            return latest == null;
        }
    }

    /**
     * Reads the whole snapshots topic (assign, seek to beginning, read to the end offsets taken
     * now) and keeps the given model's snapshots; the latest is the one with the highest version.
     * Undecodable records are skipped with a warning: they cannot be resumed from.
     */
    public History read(String modelName) {
        byte[] key = modelName.getBytes(StandardCharsets.UTF_8);
        List<WeightSnapshot> all = new ArrayList<>();
        WeightSnapshot[] latest = {null};
        TopicReader.scan(clients, Topics.SNAPSHOTS, timeout, r -> {
            if (r.key() == null || !Arrays.equals(r.key(), key)) {
                return;
            }
            try {
                WeightSnapshot s = WeightSnapshotCodec.decode(r.value());
                if (!s.modelName().equals(modelName)) {
                    return;
                }
                all.add(s);
                if (latest[0] == null || s.version() > latest[0].version()) {
                    latest[0] = s;
                }
            } catch (WireFormatException e) {
                LOG.warnf("skipping undecodable snapshot at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        });
        return new History(latest[0], all);
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
