package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data-readiness rule, without the Kafka reading (the {@link TopicMirror}s feed it, {@link TrainingData#ready}
 * asks it). Ready
 * when, at one check:
 * <ol>
 *   <li>both {@link Topics#TRAIN} and {@link Topics#TEST} hold at least one labelled image;</li>
 *   <li>every dataset split that announces its size is complete: for a positioned batch (format 2) the
 *       images 0..totalImages-1 of its dataset split are all there, whatever the batch sizes they came
 *       in; for a format-1 batch with {@code totalBatches > 0}, every sequence number of that layout;</li>
 *   <li>no dataset batch (one that announces a size) arrived since the previous check. Open-ended
 *       records (user images) do not count: a steady stream of uploads never holds training back.</li>
 * </ol>
 * Past the deadline ({@link #check(boolean)} with {@code pastDeadline}), rules 2 and 3 give way: the run
 * trains on what is there and {@link Verdict#missing()} lists what never came (a publication cut short,
 * or a forged announcement). Rule 1 holds always: there is nothing to train on without it. Announced sizes
 * are bounded by the codec ({@link dev.fmnist.contracts.ImageBatchCodec#MAX_SPLIT_IMAGES}): a record
 * announcing more fails decoding and is not observed. Memory grows with the records observed (ranges,
 * not bits per position). Thread-safe: the train and test mirrors may be read on two threads at once.
 */
public final class ReadinessRule {
    static final String READY = "ready";

    /** The outcome of one check: {@code reason} is {@link #READY} or what the data waits for. */
    public record Verdict(boolean ready, String reason, List<String> missing) {
    }

    /** One announced dataset split: what it announces and what of it has been seen. */
    private static final class Announced {
        long total;
        final String unit;
        final Coverage seen = new Coverage();

        Announced(String unit) {
            this.unit = unit;
        }
    }

    private final Map<String, Announced> announced = new TreeMap<>();
    private final Map<String, Long> labelled = new HashMap<>();
    private long datasetRecords;
    private long datasetRecordsAtLastCheck = -1;

    /** Takes note of one decoded batch read from {@code topic}. */
    synchronized void observe(String topic, ImageBatch batch) {
        long count = 0;
        for (int i = 0; i < batch.count(); i++) {
            count += batch.label(i) == ImageBatch.UNLABELLED ? 0 : 1;
        }
        labelled.merge(topic, count, Long::sum);
        ImageBatch.Position p = batch.position();
        if (p != null) {
            Announced a = announced.computeIfAbsent(topic + " " + batch.datasetId() + " " + batch.split(),
                    k -> new Announced("images"));
            // records disagreeing on the size: the largest claim is waited for (until the deadline)
            a.total = Math.max(a.total, p.totalImages());
            a.seen.add(p.firstImage(), p.firstImage() + batch.count());
            datasetRecords++;
        } else if (batch.totalBatches() > 0) {
            // the layout (total) is part of the key: two batch sizes' sequence numbers never fill each other's gaps
            Announced a = announced.computeIfAbsent(topic + " " + batch.datasetId() + " " + batch.split() + " of "
                    + batch.totalBatches() + " batches", k -> new Announced("batches"));
            a.total = batch.totalBatches();
            a.seen.add(batch.sequence(), batch.sequence() + 1);
            datasetRecords++;
        }
    }

    /** One check; {@code pastDeadline}: the readiness deadline has passed (train on what is there). */
    synchronized Verdict check(boolean pastDeadline) {
        boolean settled = datasetRecords == datasetRecordsAtLastCheck;
        datasetRecordsAtLastCheck = datasetRecords;
        for (String topic : List.of(Topics.TRAIN, Topics.TEST)) {
            if (labelled.getOrDefault(topic, 0L) == 0) {
                String reason = "waiting for labelled images on " + topic;
                return new Verdict(false, pastDeadline ? reason + " (past the readiness deadline)" : reason, List.of());
            }
        }
        List<String> missing = new ArrayList<>();
        for (var e : announced.entrySet()) {
            long have = e.getValue().seen.coveredBelow(e.getValue().total);
            if (have < e.getValue().total) {
                missing.add(e.getKey() + ": " + have + " of " + e.getValue().total + " " + e.getValue().unit);
            }
        }
        if (pastDeadline) {
            return new Verdict(true, missing.isEmpty() ? READY
                    : "readiness deadline passed: training on what is there; missing " + String.join("; ", missing),
                    List.copyOf(missing));
        }
        if (!missing.isEmpty()) {
            return new Verdict(false, "waiting for " + missing.get(0), List.copyOf(missing));
        }
        return settled ? new Verdict(true, READY, List.of())
                : new Verdict(false, "waiting for the dataset records to settle", List.of());
    }
}
