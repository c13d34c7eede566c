package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.console.quality.TestSet;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.image.ImageConverter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What fmnist.train and fmnist.test hold: images per split and class (each batch id counted once,
 * so a forced republication does not double them), the last user uploads as thumbnails, and the
 * test split itself, assembled in sequence order for the quality panel once all of its batches
 * are there.
 */
@ApplicationScoped
public class DataView {
    private static final Logger LOG = Logger.getLogger(DataView.class);

    /** A user upload: its batch id, label, when it reached the topic and the image as a PNG. */
    public record Upload(String batchId, Integer label, String labelName, Instant at, String png) {
    }

    /** Counts of one split. */
    public record SplitCount(long images, long batches, long[] perClass, long unlabelled) {
    }

    private final ConsoleConfig config;
    private final EventHub hub;
    private final Map<Split, long[]> perClass = new EnumMap<>(Split.class);
    private final Map<Split, long[]> totals = new EnumMap<>(Split.class);
    private final Set<String> seenBatchIds = new HashSet<>();
    private final Deque<Upload> uploads = new ArrayDeque<>();
    /** Test batches of the most recent dataset id, by sequence. */
    private final TreeMap<Long, ImageBatch> testBatches = new TreeMap<>();
    private String testDatasetId;
    private int testTotalBatches;
    private long testImages;
    private TestSet completeTestSet;
    private long undecodable;
    private final List<Runnable> listeners = new ArrayList<>();

    public DataView(ConsoleConfig config, EventHub hub) {
        this.config = config;
        this.hub = hub;
        for (Split s : Split.values()) {
            perClass.put(s, new long[FashionMnist.CLASSES + 1]);
            totals.put(s, new long[2]);
        }
        publish();
    }

    /** Called when the test split becomes complete (or is replaced by another dataset's). */
    public synchronized void onTestSet(Runnable listener) {
        listeners.add(listener);
    }

    public synchronized Optional<TestSet> testSet() {
        return Optional.ofNullable(completeTestSet);
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
        ImageBatch b;
        try {
            b = ImageBatchCodec.decode(r.value());
        } catch (RuntimeException e) {
            synchronized (this) {
                undecodable++;
            }
            publish();
            return;
        }
        add(b, Instant.ofEpochMilli(r.timestamp()));
    }

    /** Counts a decoded batch (the topic readers' path, and tests'). */
    public void add(ImageBatch b, Instant at) {
        boolean testCompleted = false;
        synchronized (this) {
            if (!seenBatchIds.add(b.split() + "/" + b.batchId())) {
                return;
            }
            long[] counts = perClass.get(b.split());
            for (int i = 0; i < b.count(); i++) {
                int label = b.label(i);
                counts[label < FashionMnist.CLASSES ? label : FashionMnist.CLASSES]++;
            }
            totals.get(b.split())[0] += b.count();
            totals.get(b.split())[1]++;
            if (b.split() == Split.USER) {
                remember(b, at);
            } else if (b.split() == Split.TEST) {
                testCompleted = collectTest(b);
            }
        }
        publish();
        if (testCompleted) {
            List<Runnable> notify;
            synchronized (this) {
                notify = List.copyOf(listeners);
            }
            notify.forEach(Runnable::run);
        }
    }

    private void remember(ImageBatch b, Instant at) {
        if (b.rows() != FashionMnist.ROWS || b.cols() != FashionMnist.COLS) {
            return;
        }
        for (int i = 0; i < b.count(); i++) {
            byte[] px = java.util.Arrays.copyOfRange(b.pixels(), i * FashionMnist.PIXELS, (i + 1) * FashionMnist.PIXELS);
            int label = b.label(i);
            boolean labelled = label < FashionMnist.CLASSES;
            uploads.addFirst(new Upload(b.batchId(), labelled ? label : null, labelled ? FashionMnist.label(label) : null,
                    at, Base64.getEncoder().encodeToString(ImageConverter.encodePng(px))));
            while (uploads.size() > Math.max(0, config.uploadThumbnails())) {
                uploads.removeLast();
            }
        }
    }

    /** Keeps the test batches of the latest dataset id; true when that split just became complete. */
    private boolean collectTest(ImageBatch b) {
        if (b.rows() != FashionMnist.ROWS || b.cols() != FashionMnist.COLS) {
            return false;
        }
        if (!b.datasetId().equals(testDatasetId)) {
            // another publication (a subset, or other data): the quality panel follows the newest one
            testBatches.clear();
            testImages = 0;
            testDatasetId = b.datasetId();
            testTotalBatches = b.totalBatches();
        }
        if (testBatches.containsKey(b.sequence())) {
            return false;
        }
        if (testImages + b.count() > config.maxTestImages()) {
            LOG.warnf("test split %s exceeds %d images: the quality panel ignores batch %s", testDatasetId,
                    config.maxTestImages(), b.batchId());
            return false;
        }
        testBatches.put(b.sequence(), b);
        testImages += b.count();
        if (testTotalBatches <= 0 || testBatches.size() != testTotalBatches
                || testBatches.firstKey() != 0 || testBatches.lastKey() != testTotalBatches - 1) {
            return false;
        }
        int n = (int) testImages;
        byte[] labels = new byte[n];
        byte[] pixels = new byte[n * FashionMnist.PIXELS];
        int at = 0;
        for (ImageBatch t : testBatches.values()) {
            System.arraycopy(t.labels(), 0, labels, at, t.count());
            System.arraycopy(t.pixels(), 0, pixels, at * FashionMnist.PIXELS, t.count() * FashionMnist.PIXELS);
            at += t.count();
        }
        completeTestSet = new TestSet(testDatasetId, n, labels, pixels);
        return true;
    }

    private void publish() {
        Map<String, Object> view = new LinkedHashMap<>();
        synchronized (this) {
            Map<String, SplitCount> splits = new LinkedHashMap<>();
            for (Split s : Split.values()) {
                long[] c = perClass.get(s);
                splits.put(s.name().toLowerCase(java.util.Locale.ROOT), new SplitCount(totals.get(s)[0], totals.get(s)[1],
                        java.util.Arrays.copyOf(c, FashionMnist.CLASSES), c[FashionMnist.CLASSES]));
            }
            view.put("splits", splits);
            view.put("labels", FashionMnist.LABELS);
            view.put("uploads", List.copyOf(uploads));
            view.put("testSetComplete", completeTestSet != null);
            view.put("testSetImages", completeTestSet == null ? testImages : completeTestSet.count());
            view.put("undecodable", undecodable);
        }
        hub.publish("data", view);
    }
}
