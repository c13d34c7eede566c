package dev.fmnist.ingest.dataset;

import dev.fmnist.api.PublishResult;
import dev.fmnist.api.PublishStatus.State;
import dev.fmnist.api.PublishStatus;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.support.kafka.KafkaOutage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>Self-healing: when Kafka fails the job in a way a retry can fix ({@link KafkaOutage#isTransient}:
 * the broker down, restarting, frozen or unreachable, at topic creation, while reading the published ids
 * or while sending), the job waits ({@link State#WAITING_FOR_KAFKA}, the reason in the status) with a
 * backoff doubling up to 30 s and tries again, for as long as the outage lasts: it reads the topics
 * again and sends only what is neither on them nor acknowledged to this job. It ends FAILED only for what
 * no retry fixes (missing or corrupt files, a record refused, no authorization), with the reason.
 */
public final class PublishJob implements Runnable {
    private static final Logger LOG = Logger.getLogger(PublishJob.class);

    /**
     * What to publish.
     *
     * @param skipPublished send only the batches whose ids are not yet keys on their topic
     */
    public record Options(int batchSize, int trainLimit, int testLimit, boolean skipPublished,
                          Duration progressLogInterval) {
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

        /** Kafka failed a try transiently; the job waits (its status says why) and tries again. */
        default void waitingForKafka(PublishJob job) {
        }
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
    private volatile int kafkaRetries;
    private volatile String waitingFor;
    /** Batch ids Kafka acknowledged to this job (over all tries): never sent again by a retry. */
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Map<String, PublishResult.OffsetRange> offsets = new ConcurrentHashMap<>();
    private final Map<Split, Long> skippedBySplit = new java.util.EnumMap<>(Split.class);

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
            if (!options.skipPublished()) {
                LOG.infof("job %s: skip-published off for this job: sending all %d batches", id, totalBatches);
            }
            ProgressLog progress = new ProgressLog();
            KafkaOutage.whileTransient(e -> { }).call(() -> {
                try {
                    send(plan, progress);
                    return null;
                } catch (RuntimeException e) {
                    if (KafkaOutage.isTransient(e)) {
                        waiting(e);
                    }
                    throw e;
                }
            }, Void.class);
            publishEndNanos = System.nanoTime();
            state = State.SUCCEEDED;
            LOG.infof("job %s: published %s: %d images, %d batches, %d bytes in %d ms (%.0f images/s), offsets %s; "
                            + "%d batches skipped (already on the topics)",
                    id, datasetId, images.get(), batches.get(), bytes.get(), result.durationMillis(),
                    result.imagesPerSecond(), result.offsets(), skippedBatches);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "stopped while waiting for Kafka (the service is shutting down); " + waitingFor;
            state = State.FAILED;
            LOG.errorf("job %s: %s", id, error);
        } catch (Exception e) {
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
            waitingFor = null;
            finishedAt = Instant.now();
            listener.finished(this);
        }
    }

    /**
     * One try at the Kafka part: create the topics, read what they hold (with skipPublished), send what
     * is neither there nor acknowledged to an earlier try.
     */
    private void send(PublishPlan plan, ProgressLog progress) {
        beforeSend.run();
        PublishPlan toSend = options.skipPublished() ? skipPublished(plan) : plan;
        if (!acked.isEmpty()) {
            toSend = DatasetPlanner.remaining(toSend, Map.of(Topics.TRAIN, acked, Topics.TEST, acked)).toSend();
        }
        state = State.PUBLISHING;
        waitingFor = null;
        if (publishStartNanos == 0) {
            publishStartNanos = System.nanoTime();
        }
        long t0 = System.nanoTime();
        PublishResult sent = DatasetPublisher.publish(producer, toSend, (r, md) -> {
            if (!acked.add(r.batchId())) {
                return;
            }
            long n = images.addAndGet(r.images());
            batches.incrementAndGet();
            bytes.addAndGet(r.value().length);
            offsets.merge(r.topic(), new PublishResult.OffsetRange(md.partition(), md.offset(), md.offset()),
                    (a, b) -> new PublishResult.OffsetRange(a.partition(), Math.min(a.first(), b.first()),
                            Math.max(a.last(), b.last())));
            listener.batchAcked(r.split(), r.images(), r.value().length);
            progress.maybeLog(n);
        });
        // what this job sent over all its tries (a single try: exactly what DatasetPublisher reports)
        result = kafkaRetries == 0 ? sent : new PublishResult(plan.datasetId(), (int) plan.images(Split.TRAIN),
                (int) plan.images(Split.TEST), plan.batches(Split.TRAIN), plan.batches(Split.TEST), bytes.get(),
                new java.util.TreeMap<>(offsets), sent.firstBatchId(), sent.lastBatchId(),
                (System.nanoTime() - publishStartNanos) / 1_000_000);
        LOG.debugf("job %s: try %d sent %d batches in %d ms", id, kafkaRetries + 1, toSend.records().size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Reports the outage; the guard waits {@link KafkaOutage#backoff} before the next try. */
    private void waiting(RuntimeException failure) {
        int attempt = kafkaRetries + 1;
        Duration wait = KafkaOutage.backoff(attempt);
        kafkaRetries = attempt;
        waitingFor = "Kafka unavailable (" + failure.getMessage() + "); retry " + attempt + " in "
                + wait.toSeconds() + " s";
        state = State.WAITING_FOR_KAFKA;
        LOG.warnf("job %s: %s; %d of %d batches acknowledged so far", id, waitingFor, acked.size(), totalBatches);
        listener.waitingForKafka(this);
    }

    /** Reads the batch ids already on the topics and returns the plan without them. */
    private PublishPlan skipPublished(PublishPlan plan) {
        state = State.CHECKING;
        long t0 = System.nanoTime();
        DatasetPlanner.Remaining remaining = DatasetPlanner.remaining(plan, published.find(plan.batchIdsByTopic()));
        // a retry finds this job's own acknowledged batches too: those are not "skipped"
        List<PublishPlan.Record> foreign = remaining.skipped().stream().filter(r -> !acked.contains(r.batchId())).toList();
        skippedBatches = foreign.size();
        skippedImages = foreign.stream().mapToLong(PublishPlan.Record::images).sum();
        for (Split split : new Split[]{Split.TRAIN, Split.TEST}) {
            long n = foreign.stream().filter(r -> r.split() == split).count();
            long before = skippedBySplit.getOrDefault(split, 0L);
            if (n > before) {
                listener.batchesSkipped(split, n - before, foreign.stream().filter(r -> r.split() == split)
                        .skip(before).mapToLong(PublishPlan.Record::images).sum());
                skippedBySplit.put(split, n);
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

    /** A consistent snapshot of the job for the REST API. */
    public PublishStatus status() {
        DatasetLocator.Located loc = located;
        PublishStatus.Options shown = new PublishStatus.Options(options.batchSize(), options.trainLimit(),
                options.testLimit(), options.skipPublished());
        return new PublishStatus(id, state, shown, loc == null ? null : loc.dir().toString(),
                loc == null ? null : loc.origin().name().toLowerCase(java.util.Locale.ROOT), datasetId,
                totalImages, images.get(), totalBatches, batches.get(), bytes.get(), skippedImages, skippedBatches,
                state == State.SUCCEEDED && totalBatches > 0 && skippedBatches == totalBatches,
                Math.round(imagesPerSecond()), startedAt, finishedAt, error, kafkaRetries, waitingFor, result);
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
