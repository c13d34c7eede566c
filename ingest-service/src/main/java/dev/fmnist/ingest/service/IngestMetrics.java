package dev.fmnist.ingest.service;

import dev.fmnist.api.PublishStatus;
import dev.fmnist.contracts.Split;
import dev.fmnist.ingest.dataset.PublishJob;
import dev.fmnist.ingest.images.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ingest service's meters. Names (Prometheus adds _total / _seconds):
 * <ul>
 *   <li>fmnist.ingest.images.published, .batches.published, .bytes.published - counters, tag split=train|test|user</li>
 *   <li>fmnist.ingest.images.skipped, .batches.skipped - counters of dataset batches not sent because the
 *       topic already held them, tag split=train|test</li>
 *   <li>fmnist.ingest.inputs.rejected - counter, tag reason=bad_image|bad_label|bad_archive|too_large|unsupported_type</li>
 *   <li>fmnist.ingest.publish.duration - timer of dataset publications, tag outcome=succeeded|failed</li>
 *   <li>fmnist.ingest.publish.rate - gauge, images/s of the running (or last) publication</li>
 *   <li>fmnist.ingest.publish.progress - gauge, 0..1 of the running (or last) publication</li>
 *   <li>fmnist.ingest.publish.running - gauge, 1 while a publication runs</li>
 *   <li>fmnist.ingest.publish.waiting.kafka - gauge, 1 while the publication waits for Kafka to come back</li>
 *   <li>fmnist.ingest.publish.kafka.retries - counter of publication tries Kafka failed transiently</li>
 * </ul>
 */
@ApplicationScoped
public class IngestMetrics {
    private final Map<Split, Counter> images = new EnumMap<>(Split.class);
    private final Map<Split, Counter> batches = new EnumMap<>(Split.class);
    private final Map<Split, Counter> bytes = new EnumMap<>(Split.class);
    private final Map<Split, Counter> skippedImages = new EnumMap<>(Split.class);
    private final Map<Split, Counter> skippedBatches = new EnumMap<>(Split.class);
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Timer succeeded;
    private final Timer failed;
    private final AtomicReference<PublishJob> job = new AtomicReference<>();
    private final Counter kafkaRetries;

    public IngestMetrics(MeterRegistry registry) {
        for (Split s : Split.values()) {
            String tag = s.name().toLowerCase(Locale.ROOT);
            images.put(s, Counter.builder("fmnist.ingest.images.published").tag("split", tag)
                    .description("Images acknowledged by Kafka").register(registry));
            batches.put(s, Counter.builder("fmnist.ingest.batches.published").tag("split", tag)
                    .description("ImageBatch records acknowledged by Kafka").register(registry));
            bytes.put(s, Counter.builder("fmnist.ingest.bytes.published").tag("split", tag)
                    .description("Encoded ImageBatch bytes acknowledged by Kafka").register(registry));
        }
        for (Split s : new Split[]{Split.TRAIN, Split.TEST}) {
            String tag = s.name().toLowerCase(Locale.ROOT);
            skippedImages.put(s, Counter.builder("fmnist.ingest.images.skipped").tag("split", tag)
                    .description("Dataset images not sent because the topic already held their batch").register(registry));
            skippedBatches.put(s, Counter.builder("fmnist.ingest.batches.skipped").tag("split", tag)
                    .description("Dataset batches not sent because the topic already held their batch id").register(registry));
        }
        for (RejectReason r : RejectReason.values()) {
            rejected.put(r, Counter.builder("fmnist.ingest.inputs.rejected").tag("reason", r.tag())
                    .description("Uploads refused with a 4xx").register(registry));
        }
        succeeded = Timer.builder("fmnist.ingest.publish.duration").tag("outcome", "succeeded")
                .description("Wall time of dataset publications (locate, load, send)").register(registry);
        failed = Timer.builder("fmnist.ingest.publish.duration").tag("outcome", "failed")
                .description("Wall time of dataset publications (locate, load, send)").register(registry);
        Gauge.builder("fmnist.ingest.publish.rate", job, j -> j.get() == null ? 0 : j.get().imagesPerSecond())
                .description("Images per second of the running or last dataset publication").register(registry);
        Gauge.builder("fmnist.ingest.publish.progress", job, j -> j.get() == null ? 0 : j.get().progress())
                .description("Fraction of the running or last dataset publication acknowledged").register(registry);
        Gauge.builder("fmnist.ingest.publish.running", job,
                        j -> j.get() != null && !j.get().state().finished() ? 1 : 0)
                .description("1 while a dataset publication runs").register(registry);
        Gauge.builder("fmnist.ingest.publish.waiting.kafka", job,
                        j -> j.get() != null && j.get().state() == PublishStatus.State.WAITING_FOR_KAFKA ? 1 : 0)
                .description("1 while the dataset publication waits for Kafka to come back").register(registry);
        kafkaRetries = Counter.builder("fmnist.ingest.publish.kafka.retries")
                .description("Dataset publication tries that Kafka failed transiently (each is retried)").register(registry);
    }

    void kafkaRetry() {
        kafkaRetries.increment();
    }

    public void published(Split split, int imageCount, int byteCount) {
        images.get(split).increment(imageCount);
        batches.get(split).increment();
        bytes.get(split).increment(byteCount);
    }

    public void skipped(Split split, long batchCount, long imageCount) {
        skippedImages.get(split).increment(imageCount);
        skippedBatches.get(split).increment(batchCount);
    }

    public void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    void jobStarted(PublishJob started) {
        job.set(started);
    }

    void jobFinished(PublishJob finished, Duration elapsed) {
        (finished.state() == PublishStatus.State.SUCCEEDED ? succeeded : failed).record(elapsed);
    }
}
