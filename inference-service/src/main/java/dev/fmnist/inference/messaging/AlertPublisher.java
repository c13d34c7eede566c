package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.Topics;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.kafka.KafkaOutage;
import dev.fmnist.support.snapshots.SnapshotTrust;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Raises an {@link Alert}: logged, counted ({@link InferenceMetrics#ALERTS}) and written to
 * {@link Topics#ALERTS} keyed by model name. Never blocks its caller and never throws, whatever the broker
 * does: the send runs on this publisher's one thread behind a bounded queue (a producer's {@code send} can
 * block while the broker is away). A send the broker did not take for a reason a retry can fix (it is away:
 * the producer gives a send up after {@code max.block.ms}, 60 s, or {@code delivery.timeout.ms}, 120 s) is
 * tried again under {@link KafkaOutage}'s policy for as long as the outage lasts, one alert at a time and in
 * order, so an alert raised during an outage is written once it ends; the alerts raised meanwhile wait in the
 * queue. An alert the queue would not take (256 waiting), or that no retry can write, is logged as lost (the
 * log line and the counter still carry it). A retry after a send whose acknowledgement was lost may write an
 * alert twice: a notification, better twice than never. Each alert is signed with the model-control key
 * ({@link SnapshotTrust#encode(Alert)}, the key that signs pins and verdicts), so a reader holding its public
 * half (the console) shows only alerts an inference replica raised.
 */
@ApplicationScoped
public class AlertPublisher {
    private static final Logger LOG = Logger.getLogger(AlertPublisher.class);
    private final Producer<byte[], byte[]> producer;
    private final InferenceMetrics metrics;
    private final SnapshotTrust trust;
    private final String source;
    private final Clock clock;
    private final Guard retry = KafkaOutage.whileTransient(e -> LOG.warnf(
            "an alert waits for %s, which did not take it (%s); tried again", Topics.ALERTS, e.getMessage()));
    /** Alerts are rare (decisions, threshold crossings); 256 waiting means the broker is away, not a backlog to keep. */
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "alert-publisher");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());

    @Inject
    public AlertPublisher(KafkaClientFactory kafka, InferenceConfig config, InferenceMetrics metrics,
                          SnapshotTrust trust) {
        this(kafka, config, metrics, trust, Map.of());
    }

    /** With the producer's own {@code tuning} (a test's short timeouts). */
    AlertPublisher(KafkaClientFactory kafka, InferenceConfig config, InferenceMetrics metrics, SnapshotTrust trust,
                   Map<String, ?> tuning) {
        this.producer = kafka.reliableProducer("inference-alerts", tuning);
        this.metrics = metrics;
        this.trust = trust;
        if (!trust.signsAlerts()) {
            LOG.warnf("no model-control signing key (fmnist.model-control.signing-key): alerts go to %s UNSIGNED, "
                    + "and a reader holding model-control keys (the console) refuses them", Topics.ALERTS);
        }
        this.source = config.replicaName();
        this.clock = Clock.systemUTC();
    }

    /** This replica's name, the {@code source} of its alerts. */
    public String source() {
        return source;
    }

    /** Raises an alert of this replica, now. Completes when the broker has it (or with the send's error). */
    public CompletableFuture<Void> raise(Alert.Kind kind, String model, Map<String, Long> versions, String reason,
                                         Map<String, Double> figures) {
        return raise(new Alert(kind, model, versions, reason, figures, source, clock.instant()));
    }

    public CompletableFuture<Void> raise(Alert alert) {
        metrics.alerted(alert.model(), alert.kind());
        LOG.warnf("alert %s of %s %s: %s %s", alert.kind().wire(), alert.model(), alert.versions(), alert.reason(),
                alert.figures());
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            sender.execute(() -> send(alert, done));
        } catch (RejectedExecutionException e) {
            LOG.errorf("alert %s of %s lost: 256 alerts already wait for the broker", alert.kind().wire(), alert.model());
            done.completeExceptionally(e);
        }
        return done;
    }

    private void send(Alert alert, CompletableFuture<Void> done) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.ALERTS,
                alert.model().getBytes(StandardCharsets.UTF_8), trust.encode(alert));
        try {
            retry.call(() -> producer.send(record).get(), RecordMetadata.class);
            done.complete(null);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.errorf("alert %s of %s lost, not written to %s: %s", alert.kind().wire(), alert.model(), Topics.ALERTS,
                    cause.toString());
            done.completeExceptionally(cause);
        }
    }

    /** Gives the alerts waiting 5 s to be written, then ends a send still waiting for the broker (logged as lost). */
    @PreDestroy
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
                sender.shutdownNow().forEach(r -> LOG.errorf("an alert lost at shutdown: %s did not take it", Topics.ALERTS));
                sender.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
