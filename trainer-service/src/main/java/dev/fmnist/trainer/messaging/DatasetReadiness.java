package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WireFormatException;
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
 * {@link ReadinessRule} to what it read.
 */
public final class DatasetReadiness implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DatasetReadiness.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Duration timeout;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final ReadinessRule rule = new ReadinessRule();
    private String lastReason = "not checked yet";

    public DatasetReadiness(KafkaClients clients, Duration timeout) {
        this.consumer = clients.consumer("readiness");
        this.timeout = timeout;
        partitions.addAll(TopicReader.partitions(consumer, Topics.TRAIN, timeout));
        partitions.addAll(TopicReader.partitions(consumer, Topics.TEST, timeout));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Why the data is not ready (or "ready"), for the status endpoint and logs. */
    public String reason() {
        return lastReason;
    }

    /** One check: reads what is new and applies the rule. */
    public boolean check(BooleanSupplier stop) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        TopicReader.readUntil(consumer, ends, Duration.ofMillis(200), stop, r -> {
            try {
                rule.observe(r.topic(), ImageBatchCodec.decode(r.value()));
            } catch (WireFormatException e) {
                // the epoch reader dead-letters it; readiness only ignores it
            }
        });
        String reason = rule.check(ends);
        if (!reason.equals(lastReason)) {
            LOG.infof("training data: %s", reason);
        }
        lastReason = reason;
        return reason.equals(ReadinessRule.READY);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
