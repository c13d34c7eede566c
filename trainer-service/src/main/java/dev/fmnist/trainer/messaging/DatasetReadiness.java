package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WireFormatException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Decides when the datasets are there to train on, so a trainer started before (or while) ingest
 * publishes waits instead of training on half a dataset. The rule, checked every poll interval:
 * <ol>
 *   <li>both {@link Topics#TRAIN} and {@link Topics#TEST} hold at least one labelled image;</li>
 *   <li>every dataset split that announces its size ({@code totalBatches > 0}) is complete: all of
 *       its sequence numbers 0..totalBatches-1 are present;</li>
 *   <li>the end offsets of both topics did not move since the previous check (covers open-ended
 *       publishers that announce no total).</li>
 * </ol>
 * Reading is incremental: each check only decodes what was appended since the previous one.
 */
public final class DatasetReadiness implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DatasetReadiness.class);

    private final Consumer<byte[], byte[]> consumer;
    private final Duration timeout;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<String, BitSet> sequences = new HashMap<>();
    private final Map<String, Integer> totals = new HashMap<>();
    private final Map<String, Long> labelled = new HashMap<>();
    private Map<TopicPartition, Long> previousEnds = Map.of();
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
                ImageBatch b = ImageBatchCodec.decode(r.value());
                String key = r.topic() + "|" + b.datasetId() + "|" + b.split();
                long count = 0;
                for (int i = 0; i < b.count(); i++) {
                    count += b.label(i) == ImageBatch.UNLABELLED ? 0 : 1;
                }
                labelled.merge(r.topic(), count, Long::sum);
                if (b.totalBatches() > 0) {
                    totals.put(key, b.totalBatches());
                    if (b.sequence() < b.totalBatches()) {
                        sequences.computeIfAbsent(key, k -> new BitSet()).set((int) b.sequence());
                    }
                }
            } catch (WireFormatException e) {
                // the epoch reader dead-letters it; readiness only ignores it
            }
        });
        boolean stable = ends.equals(previousEnds);
        previousEnds = ends;
        String reason = evaluate(stable);
        if (!reason.equals(lastReason)) {
            LOG.infof("training data: %s", reason);
        }
        lastReason = reason;
        return reason.equals("ready");
    }

    private String evaluate(boolean stable) {
        for (String topic : List.of(Topics.TRAIN, Topics.TEST)) {
            if (labelled.getOrDefault(topic, 0L) == 0) {
                return "waiting for labelled images on " + topic;
            }
        }
        for (var e : totals.entrySet()) {
            int have = sequences.getOrDefault(e.getKey(), new BitSet()).cardinality();
            if (have < e.getValue()) {
                return "waiting for " + e.getKey().replace('|', ' ') + ": " + have + " of " + e.getValue() + " batches";
            }
        }
        return stable ? "ready" : "waiting for the topics' end offsets to settle";
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
