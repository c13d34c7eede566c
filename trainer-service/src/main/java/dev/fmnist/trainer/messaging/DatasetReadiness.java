package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WireFormatException;
import dev.fmnist.support.kafka.BoundedTopicReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Decides when the datasets are there to train on, so a trainer started before (or while) ingest
 * publishes waits instead of training on half a dataset: reads the train and test topics
 * incrementally (each check only decodes what was appended since the previous one) and applies
 * {@link ReadinessRule} to what it read. Waiting is bounded: once {@code deadline} has passed since the
 * first check, the data counts as ready with what is there, and {@link #missing()} says what never came.
 */
public final class DatasetReadiness implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DatasetReadiness.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Duration timeout;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final ReadinessRule rule = new ReadinessRule();
    private final Duration deadline;
    private final long startNanos = System.nanoTime();
    private String lastReason = "not checked yet";
    private List<String> missing = List.of();

    /**
     * @param deadline how long to wait for incomplete datasets before training on what is there;
     *                 zero = no deadline (wait until complete)
     */
    public DatasetReadiness(KafkaClients clients, Duration timeout, Duration deadline) {
        this.consumer = clients.consumer("readiness");
        this.timeout = timeout;
        this.deadline = deadline;
        partitions.addAll(BoundedTopicReader.partitions(consumer, Topics.TRAIN, timeout));
        partitions.addAll(BoundedTopicReader.partitions(consumer, Topics.TEST, timeout));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Why the data is not ready (or "ready"), for the status endpoint and logs. */
    public String reason() {
        return lastReason;
    }

    /** The announced dataset splits that were incomplete when the data was declared ready (past the deadline). */
    public List<String> missing() {
        return missing;
    }

    /** One check: reads what is new and applies the rule. */
    public boolean check(BooleanSupplier stop) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        BoundedTopicReader.readToEnds(consumer, ends, Duration.ofMillis(200), stop, r -> {
            try {
                rule.observe(r.topic(), ImageBatchCodec.decode(r.value()));
            } catch (WireFormatException e) {
                // the epoch reader dead-letters it; readiness only ignores it
            }
        });
        boolean pastDeadline = !deadline.isZero() && System.nanoTime() - startNanos >= deadline.toNanos();
        ReadinessRule.Verdict verdict = rule.check(pastDeadline);
        if (!verdict.reason().equals(lastReason)) {
            if (verdict.ready() && !verdict.missing().isEmpty()) {
                LOG.warnf("training data incomplete after the %d s readiness deadline (fmnist.trainer.readiness.deadline):"
                        + " training on what is there; missing %s", deadline.toSeconds(), verdict.missing());
            } else {
                LOG.infof("training data: %s", verdict.reason());
            }
        }
        lastReason = verdict.reason();
        missing = verdict.ready() ? verdict.missing() : List.of();
        return verdict.ready();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
