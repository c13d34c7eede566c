package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.WireFormatException;
import dev.fmnist.trainer.model.SampleStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns image-batch records into labelled samples: decodes with {@link ImageBatchCodec}, drops a
 * batch id already taken (the same dataset published twice counts once), drops every image of a
 * positioned batch ({@link ImageBatch.Position}) whose (source, split, position) was already taken, so
 * the same images published again with another batch size or limit count once too, skips unlabelled
 * images, and dead-letters what cannot be used (corrupt record, images not 28x28, a split that does not
 * belong on the topic; labels out of range and announced sizes no dataset can have are refused by the
 * codec). Every record that decodes is shown to an observer first, whatever happens to it next (the
 * readiness rule counts announcements, duplicates included).
 */
public final class BatchIntake {
    private final Rejects deadLetters;
    private final Set<Split> accepted;
    private final java.util.function.Consumer<ImageBatch> decoded;

    /** Where an unusable record goes, with the reason ({@link DeadLetterSink#report} in a run). */
    @FunctionalInterface
    public interface Rejects {
        void reject(ConsumerRecord<byte[], byte[]> record, String reason);
    }

    /**
     * What one pass over the records has taken (a fresh one per epoch): batch ids, and per source split
     * the positions of positioned images.
     */
    public static final class Seen {
        private final Set<String> batchIds = new HashSet<>();
        private final Map<String, Coverage> positions = new HashMap<>();

        /** How many batch ids were taken. */
        int batchIds() {
            return batchIds.size();
        }

        /** Whether the batch id is new (and now taken). */
        boolean batchId(String id) {
            return batchIds.add(id);
        }

        /** Takes the batch's positions; returns the ranges of image indexes in the batch not taken before. */
        List<long[]> images(ImageBatch batch) {
            ImageBatch.Position p = batch.position();
            long first = p.firstImage();
            List<long[]> fresh = positions.computeIfAbsent(p.source() + "|" + batch.split(), k -> new Coverage())
                    .add(first, first + batch.count());
            fresh.replaceAll(r -> new long[]{r[0] - first, r[1] - first});
            return fresh;
        }
    }

    /** Counters of one pass over records. */
    public static final class Stats {
        public long records;
        public long batches;
        public long duplicates;
        /** Images of positioned batches already taken from another batch (another batch size or limit). */
        public long duplicateImages;
        public long bad;
        public long unlabelled;
        public long samples;

        @Override
        public String toString() {
            return records + " records, " + batches + " batches, " + samples + " samples, " + duplicates
                    + " duplicate batches, " + duplicateImages + " duplicate images, " + unlabelled
                    + " unlabelled images, " + bad + " bad records";
        }
    }

    /** @param decoded shown every batch that decodes, before it is checked or deduplicated */
    public BatchIntake(Rejects deadLetters, Set<Split> accepted, java.util.function.Consumer<ImageBatch> decoded) {
        this.deadLetters = deadLetters;
        this.accepted = Set.copyOf(accepted);
        this.decoded = decoded;
    }

    /** Adds the record's labelled images to {@code store}, except those {@code seen} already took. */
    public void accept(ConsumerRecord<byte[], byte[]> record, Seen seen, SampleStore store, Stats stats) {
        stats.records++;
        ImageBatch batch;
        try {
            batch = ImageBatchCodec.decode(record.value());
        } catch (WireFormatException e) {
            stats.bad++;
            deadLetters.reject(record, e.getMessage());
            return;
        }
        decoded.accept(batch);
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
        if (!seen.batchId(batch.batchId())) {
            stats.duplicates++;
            return;
        }
        List<long[]> fresh = batch.position() == null ? List.of(new long[]{0, batch.count()}) : seen.images(batch);
        int taken = 0;
        for (long[] range : fresh) {
            take(batch, (int) range[0], (int) range[1], store, stats);
            taken += (int) (range[1] - range[0]);
        }
        if (taken == 0) {
            stats.duplicates++;
            stats.duplicateImages += batch.count();
            return;
        }
        stats.duplicateImages += batch.count() - taken;
        stats.batches++;
    }

    private static void take(ImageBatch batch, int from, int to, SampleStore store, Stats stats) {
        int size = batch.imageSize();
        byte[] pixels = batch.pixels();
        for (int i = from; i < to; i++) {
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
