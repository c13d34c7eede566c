package dev.fmnist.ingest.dataset;

import dev.fmnist.api.PublishResult;
import dev.fmnist.contracts.Split;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Sends a prepared {@link PublishPlan}. Sends are pipelined (the idempotent producer keeps their
 * order per partition); the first failed acknowledgement stops further sends, and the call returns
 * only when every sent record is acknowledged or failed. A failure carries the producer's exception as its
 * cause, so the caller can tell an outage (retry) from a refusal.
 */
public final class DatasetPublisher {

    /** Called on the producer's I/O thread for every acknowledged record. */
    public interface Acks {
        void acked(PublishPlan.Record record, RecordMetadata metadata);
    }

    private DatasetPublisher() {
    }

    /** @throws DatasetException when a record was not acknowledged; names the batch and the cause */
    public static PublishResult publish(Producer<String, byte[]> producer, PublishPlan plan, Acks acks) {
        long started = System.nanoTime();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicReference<Exception> cause = new AtomicReference<>();
        Map<String, long[]> ranges = new ConcurrentHashMap<>();
        int sent = 0;
        for (PublishPlan.Record r : plan.records()) {
            if (failure.get() != null) {
                break;
            }
            try {
                producer.send(new ProducerRecord<>(r.topic(), r.batchId(), r.value()), (md, e) -> {
                    if (e != null) {
                        if (failure.compareAndSet(null, "batch " + r.batchId() + " to " + r.topic() + ": " + e)) {
                            cause.set(e);
                        }
                        return;
                    }
                    ranges.compute(r.topic(), (t, range) -> range == null
                            ? new long[]{md.partition(), md.offset(), md.offset()}
                            : new long[]{range[0], Math.min(range[1], md.offset()), Math.max(range[2], md.offset())});
                    acks.acked(r, md);
                });
            } catch (KafkaException e) {
                if (failure.compareAndSet(null, "batch " + r.batchId() + " to " + r.topic() + ": " + e)) {
                    cause.set(e);
                }
                break;
            }
            sent++;
        }
        producer.flush();
        if (failure.get() != null) {
            throw new DatasetException("publishing " + plan.datasetId() + " stopped after " + sent + " of "
                    + plan.records().size() + " batches were sent: " + failure.get(), cause.get());
        }
        Map<String, PublishResult.OffsetRange> offsets = new LinkedHashMap<>();
        ranges.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                offsets.put(e.getKey(), new PublishResult.OffsetRange((int) e.getValue()[0], e.getValue()[1], e.getValue()[2])));
        var records = plan.records();
        return new PublishResult(plan.datasetId(), (int) plan.images(Split.TRAIN), (int) plan.images(Split.TEST),
                plan.batches(Split.TRAIN), plan.batches(Split.TEST), plan.totalBytes(), offsets,
                records.isEmpty() ? null : records.get(0).batchId(),
                records.isEmpty() ? null : records.get(records.size() - 1).batchId(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
