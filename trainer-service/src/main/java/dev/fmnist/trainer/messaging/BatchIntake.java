package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.WireFormatException;
import dev.fmnist.trainer.model.SampleStore;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns image-batch records into labelled samples: decodes with {@link ImageBatchCodec}, drops a
 * batch id already taken (the same dataset published twice counts once), skips unlabelled images,
 * and dead-letters what cannot be used (corrupt record, images not 28x28, a split that does not
 * belong on the topic; labels out of range are refused by the codec).
 */
public final class BatchIntake {
    private final Rejects deadLetters;
    private final Set<Split> accepted;

    /** Where an unusable record goes, with the reason ({@link DeadLetterSink#report} in a run). */
    @FunctionalInterface
    public interface Rejects {
        void reject(ConsumerRecord<byte[], byte[]> record, String reason);
    }

    /** Counters of one pass over records. */
    public static final class Stats {
        public long records;
        public long batches;
        public long duplicates;
        public long bad;
        public long unlabelled;
        public long samples;

        @Override
        public String toString() {
            return records + " records, " + batches + " batches, " + samples + " samples, " + duplicates
                    + " duplicate batches, " + unlabelled + " unlabelled images, " + bad + " bad records";
        }
    }

    public BatchIntake(Rejects deadLetters, Set<Split> accepted) {
        this.deadLetters = deadLetters;
        this.accepted = Set.copyOf(accepted);
    }

    /** Adds the record's labelled images to {@code store} unless its batch id is in {@code seen}. */
    public void accept(ConsumerRecord<byte[], byte[]> record, Set<String> seen, SampleStore store, Stats stats) {
        stats.records++;
        ImageBatch batch;
        try {
            batch = ImageBatchCodec.decode(record.value());
        } catch (WireFormatException e) {
            stats.bad++;
            deadLetters.reject(record, e.getMessage());
            return;
        }
        if (batch.rows() != FashionMnist.ROWS || batch.cols() != FashionMnist.COLS) {
            stats.bad++;
            deadLetters.reject(record, "images are " + batch.rows() + "x" + batch.cols() + ", the model takes "
                    + FashionMnist.ROWS + "x" + FashionMnist.COLS);
            return;
        }
        if (!accepted.contains(batch.split())) {
            stats.bad++;
            deadLetters.reject(record, "split " + batch.split() + " does not belong on " + record.topic()
                    + " (expected " + accepted + ")");
            return;
        }
        if (!seen.add(batch.batchId())) {
            stats.duplicates++;
            return;
        }
        stats.batches++;
        int size = batch.imageSize();
        byte[] pixels = batch.pixels();
        for (int i = 0; i < batch.count(); i++) {
            int label = batch.label(i);
            if (label == ImageBatch.UNLABELLED) {
                stats.unlabelled++;
            } else {
                store.add(pixels, i * size, label);
                stats.samples++;
            }
        }
    }
}
