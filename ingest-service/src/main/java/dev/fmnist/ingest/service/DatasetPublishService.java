package dev.fmnist.ingest.service;

import dev.fmnist.api.PublishStatus;
import dev.fmnist.contracts.Split;
import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.dataset.DatasetDownloader;
import dev.fmnist.ingest.dataset.DatasetLocator;
import dev.fmnist.ingest.dataset.PublishJob;
import dev.fmnist.ingest.dataset.PublishedBatches;
import dev.fmnist.ingest.messaging.TopicsInitializer;
import dev.fmnist.support.rest.ApiException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * Runs dataset publications, one at a time, on a dedicated thread; keeps the last one for status.
 */
@ApplicationScoped
public class DatasetPublishService {
    private static final Logger LOG = Logger.getLogger(DatasetPublishService.class);

    private final IngestConfig config;
    private final Producer<String, byte[]> producer;
    private final PublishedBatches published;
    private final TopicsInitializer topics;
    private final IngestMetrics metrics;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fmnist-ingest-publish");
        t.setDaemon(true);
        return t;
    });
    private PublishJob current;

    public DatasetPublishService(IngestConfig config, Producer<String, byte[]> producer, PublishedBatches published,
                                 TopicsInitializer topics, IngestMetrics metrics) {
        this.config = config;
        this.producer = producer;
        this.published = published;
        this.topics = topics;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent event) {
        // Fail fast on a bad batch size or limit instead of at the first publication.
        PublishJob.Options options = options(OptionalInt.empty(), OptionalInt.empty(), false);
        if (config.publishOnStart()) {
            PublishStatus status = start(options);
            // the job waits for the broker (WAITING_FOR_KAFKA) when Kafka is not up yet, e.g. ingest started first
            LOG.infof("fmnist.ingest.publish-on-start: started job %s", status.jobId());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts a publication with the configured options, limits overridden when given.
     *
     * @param force send every batch, even those already on the topics (else fmnist.ingest.skip-published decides)
     * @throws ApiException (409) when one is running
     * @throws IllegalArgumentException when a limit is negative
     */
    public PublishStatus start(OptionalInt trainLimit, OptionalInt testLimit, boolean force) {
        return start(options(trainLimit, testLimit, force));
    }

    private synchronized PublishStatus start(PublishJob.Options options) {
        if (current != null && !current.state().finished()) {
            throw ApiException.conflict("a publication is already running: job " + current.status().jobId() + " ("
                    + current.status().state() + ")");
        }
        String id = "publish-" + UUID.randomUUID().toString().substring(0, 8);
        PublishJob job = new PublishJob(id, locator(), producer, published, options, new PublishJob.Listener() {
            @Override
            public void batchAcked(Split split, int images, int bytes) {
                metrics.published(split, images, bytes);
            }

            @Override
            public void batchesSkipped(Split split, long batches, long images) {
                metrics.skipped(split, batches, images);
            }

            @Override
            public void waitingForKafka(PublishJob waiting) {
                metrics.kafkaRetry();
            }

            @Override
            public void finished(PublishJob finished) {
                metrics.jobFinished(finished, finished.elapsed());
            }
        }, topics::ensure);
        current = job;
        metrics.jobStarted(job);
        executor.execute(job);
        return job.status();
    }

    /** The running or last publication since the service started. */
    public synchronized Optional<PublishStatus> status() {
        return Optional.ofNullable(current).map(PublishJob::status);
    }

    DatasetLocator locator() {
        return new DatasetLocator(config.dataDir(), config.systemDataDir(), config.cacheDir(),
                config.download()
                        ? Optional.of(new DatasetDownloader(config.downloadBaseUrl(), config.downloadTimeout()))
                        : Optional.empty());
    }

    private PublishJob.Options options(OptionalInt trainLimit, OptionalInt testLimit, boolean force) {
        return new PublishJob.Options(config.batchSize(), trainLimit.orElse(config.trainLimit()),
                testLimit.orElse(config.testLimit()), config.skipPublished() && !force, config.progressLogInterval());
    }
}
