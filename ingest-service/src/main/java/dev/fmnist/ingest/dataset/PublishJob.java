package dev.fmnist.ingest.dataset;

import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.idx.FashionMnistData;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * One publication of Fashion-MNIST: locate the files, load and check all four, encode every batch,
 * and only then send. A missing, corrupt or truncated file therefore fails the job before anything
 * reaches Kafka. With {@link Options#skipPublished()} the job first reads which batch ids the topics
 * already hold and sends only the missing batches, so publishing again adds no duplicates and a
 * publication that stopped half-way is completed by the next one. Progress is readable from any
 * thread through {@link #status()}.
 */
public final class PublishJob implements Runnable {
    private static final Logger LOG = Logger.getLogger(PublishJob.class);

    /** CHECKING: reading the batch ids already on the topics (only with skipPublished). */
    public enum State { QUEUED, LOCATING, LOADING, CHECKING, PUBLISHING, SUCCEEDED, FAILED;

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED;
        }
    }

    /**
     * What to publish.
     *
     * @param skipPublished send only the batches whose ids are not yet keys on their topic
     */
    public record Options(int batchSize, int trainLimit, int testLimit, boolean skipPublished,
                          @com.fasterxml.jackson.annotation.JsonIgnore Duration progressLogInterval) {
        public Options {
            DatasetPlanner.validate(batchSize, trainLimit, testLimit);
        }
    }

    /** Notified of acknowledged batches (I/O thread), of skipped ones, and of the end of the job. */
    public interface Listener {
        void batchAcked(Split split, int images, int bytes);

        /** Batches of a split not sent because the topic already held them; called once per split, before sending. */
        default void batchesSkipped(Split split, long batches, long images) {
        }

        void finished(PublishJob job);
    }

    /**
     * A consistent snapshot of the job for the REST API. {@code totalImages}/{@code totalBatches} are the
     * whole plan; {@code published*} count what this job sent and Kafka acknowledged; {@code skipped*}
     * what the topics already held; {@code alreadyPublished} is true when that was everything.
     */
    public record Status(String jobId, State state, Options options, String source, String origin, String datasetId,
                         long totalImages, long publishedImages, long totalBatches, long publishedBatches,
                         long publishedBytes, long skippedImages, long skippedBatches, boolean alreadyPublished,
                         double imagesPerSecond, Instant startedAt, Instant finishedAt, String error,
                         PublishResult result) {
    }

    private final String id;
    private final DatasetLocator locator;
    private final Producer<String, byte[]> producer;
    private final PublishedBatches published;
    private final Options options;
    private final Listener listener;
    private final Runnable beforeSend;
    private final AtomicLong images = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile State state = State.QUEUED;
    private volatile DatasetLocator.Located located;
    private volatile String datasetId;
    private volatile long totalImages;
    private volatile long totalBatches;
    private volatile long skippedImages;
    private volatile long skippedBatches;
    private volatile Instant startedAt;
    private volatile Instant finishedAt;
    private volatile long publishStartNanos;
    private volatile long publishEndNanos;
    private volatile String error;
    private volatile PublishResult result;

    /**
     * @param published  reads which batches the topics already hold (asked only with {@link Options#skipPublished()})
     * @param beforeSend runs after everything is loaded and encoded, before the topics are read or
     *                   written (e.g. create topics)
     */
    public PublishJob(String id, DatasetLocator locator, Producer<String, byte[]> producer, PublishedBatches published,
                      Options options, Listener listener, Runnable beforeSend) {
        this.id = id;
        this.beforeSend = beforeSend;
        this.locator = locator;
        this.producer = producer;
        this.published = published;
        this.options = options;
        this.listener = listener;
    }

    public String id() {
        return id;
    }

    public State state() {
        return state;
    }

    @Override
    public void run() {
        startedAt = Instant.now();
        try {
            state = State.LOCATING;
            located = locator.locate();
            state = State.LOADING;
            long t0 = System.nanoTime();
            FashionMnistData data = DatasetPlanner.load(located.dir());
            PublishPlan plan = DatasetPlanner.plan(data, options.batchSize(), options.trainLimit(), options.testLimit());
            datasetId = plan.datasetId();
            totalImages = plan.totalImages();
            totalBatches = plan.records().size();
            LOG.infof("job %s: loaded and encoded %s from %s (%s) in %d ms: %d train + %d test images in %d batches of %d",
                    id, datasetId, located.dir(), located.origin(), (System.nanoTime() - t0) / 1_000_000,
                    plan.trainImages(), plan.testImages(), totalBatches, plan.batchSize());
            beforeSend.run();
            PublishPlan toSend = plan;
            if (options.skipPublished()) {
                toSend = skipPublished(plan);
            } else {
                LOG.infof("job %s: skip-published off for this job: sending all %d batches", id, totalBatches);
            }
            state = State.PUBLISHING;
            publishStartNanos = System.nanoTime();
            ProgressLog progress = new ProgressLog();
            result = DatasetPublisher.publish(producer, toSend, (r, md) -> {
                long n = images.addAndGet(r.images());
                batches.incrementAndGet();
                bytes.addAndGet(r.value().length);
                listener.batchAcked(r.split(), r.images(), r.value().length);
                progress.maybeLog(n);
            });
            publishEndNanos = System.nanoTime();
            state = State.SUCCEEDED;
            LOG.infof("job %s: published %s: %d images, %d batches, %d bytes in %d ms (%.0f images/s), offsets %s; "
                            + "%d batches skipped (already on the topics)",
                    id, datasetId, images.get(), batches.get(), bytes.get(), result.durationMillis(),
                    result.imagesPerSecond(), result.offsets(), skippedBatches);
        } catch (RuntimeException e) {
            if (publishStartNanos != 0) {
                publishEndNanos = System.nanoTime();
            }
            error = e.getMessage() == null ? e.toString() : e.getMessage();
            state = State.FAILED;
            LOG.errorf("job %s failed: %s", id, error);
            if (!(e instanceof DatasetException || e instanceof IllegalArgumentException)) {
                LOG.debug("job failure", e);
            }
        } catch (Error e) {
            // An OutOfMemoryError must not leave the job "running" and block every later publication.
            error = e.toString();
            state = State.FAILED;
            LOG.errorf(e, "job %s failed", id);
            throw e;
        } finally {
            finishedAt = Instant.now();
            listener.finished(this);
        }
    }

    /** Reads the batch ids already on the topics and returns the plan without them. */
    private PublishPlan skipPublished(PublishPlan plan) {
        state = State.CHECKING;
        long t0 = System.nanoTime();
        DatasetPlanner.Remaining remaining = DatasetPlanner.remaining(plan, published.find(plan.batchIdsByTopic()));
        skippedBatches = remaining.skippedBatches();
        skippedImages = remaining.skippedImages();
        for (Split split : new Split[]{Split.TRAIN, Split.TEST}) {
            long n = remaining.skippedBatches(split);
            if (n > 0) {
                listener.batchesSkipped(split, n, remaining.skippedImages(split));
            }
        }
        LOG.infof("job %s: %d of %d batches (%d of %d images) already on the topics, %d batches to send (checked in %d ms)",
                id, skippedBatches, totalBatches, skippedImages, totalImages, remaining.toSend().records().size(),
                (System.nanoTime() - t0) / 1_000_000);
        return remaining.toSend();
    }

    /** Images per second while publishing (of the sending phase, loading excluded). */
    public double imagesPerSecond() {
        long start = publishStartNanos;
        if (start == 0) {
            return 0;
        }
        long end = publishEndNanos == 0 ? System.nanoTime() : publishEndNanos;
        long nanos = Math.max(1, end - start);
        return images.get() * 1e9 / nanos;
    }

    /** Fraction of the images acknowledged so far or found already on the topics, 0..1. */
    public double progress() {
        long total = totalImages;
        return total == 0 ? (state == State.SUCCEEDED ? 1 : 0) : (double) (skippedImages + images.get()) / total;
    }

    public Duration elapsed() {
        Instant s = startedAt;
        if (s == null) {
            return Duration.ZERO;
        }
        Instant f = finishedAt;
        return Duration.between(s, f == null ? Instant.now() : f);
    }

    public Status status() {
        DatasetLocator.Located loc = located;
        return new Status(id, state, options, loc == null ? null : loc.dir().toString(),
                loc == null ? null : loc.origin().name().toLowerCase(java.util.Locale.ROOT), datasetId,
                totalImages, images.get(), totalBatches, batches.get(), bytes.get(), skippedImages, skippedBatches,
                state == State.SUCCEEDED && totalBatches > 0 && skippedBatches == totalBatches,
                Math.round(imagesPerSecond()), startedAt, finishedAt, error, result);
    }

    /** Logs progress at most once per interval, and never from two threads at once. */
    private final class ProgressLog {
        private long lastNanos = System.nanoTime();

        synchronized void maybeLog(long published) {
            long now = System.nanoTime();
            long toSend = totalImages - skippedImages;
            if (now - lastNanos >= options.progressLogInterval().toNanos() && published < toSend) {
                lastNanos = now;
                LOG.infof("job %s: %d/%d images published (%.0f%%), %.0f images/s", id, published, toSend,
                        100.0 * published / toSend, imagesPerSecond());
            }
        }
    }
}
