package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.Topics;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The data-readiness rule, without the Kafka reading ({@link DatasetReadiness} feeds it). Ready
 * when, at one check:
 * <ol>
 *   <li>both {@link Topics#TRAIN} and {@link Topics#TEST} hold at least one labelled image;</li>
 *   <li>every dataset split that announces its size ({@code totalBatches > 0}) is complete: all of
 *       its sequence numbers 0..totalBatches-1 are present;</li>
 *   <li>the end offsets of both topics did not move since the previous check (covers open-ended
 *       publishers that announce no total).</li>
 * </ol>
 */
final class ReadinessRule {
    static final String READY = "ready";

    private final Map<String, BitSet> sequences = new HashMap<>();
    private final Map<String, Integer> totals = new HashMap<>();
    private final Map<String, Long> labelled = new HashMap<>();
    private Map<TopicPartition, Long> previousEnds = Map.of();

    /** Takes note of one decoded batch read from {@code topic}. */
    void observe(String topic, ImageBatch batch) {
        String key = topic + "|" + batch.datasetId() + "|" + batch.split();
        long count = 0;
        for (int i = 0; i < batch.count(); i++) {
            count += batch.label(i) == ImageBatch.UNLABELLED ? 0 : 1;
        }
        labelled.merge(topic, count, Long::sum);
        if (batch.totalBatches() > 0) {
            totals.put(key, batch.totalBatches());
            if (batch.sequence() < batch.totalBatches()) {
                sequences.computeIfAbsent(key, k -> new BitSet()).set((int) batch.sequence());
            }
        }
    }

    /**
     * One check, given the topics' end offsets now (which become the previous ones for the next
     * check): {@link #READY}, or what the data is waiting for.
     */
    String check(Map<TopicPartition, Long> ends) {
        boolean stable = ends.equals(previousEnds);
        previousEnds = Map.copyOf(ends);
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
        return stable ? READY : "waiting for the topics' end offsets to settle";
    }
}
