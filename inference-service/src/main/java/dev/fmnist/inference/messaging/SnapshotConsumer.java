package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.Topics;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.kafka.TopicTail;
import dev.fmnist.support.snapshots.SnapshotTrust;
import dev.fmnist.support.topics.TopicInitializer;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.promotion.Promoter;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads every snapshot from the beginning of fmnist.snapshots on a dedicated thread and routes each
 * snapshot of a served model to that model's registry ({@link SnapshotAcceptance} holds the rules,
 * among them that a model name keeps its family). No consumer
 * group and no commits: each replica assigns itself all partitions, so every replica sees every
 * snapshot, reading only committed transactions ({@link SnapshotTrust#follow}). Runs independently of the HTTP side: if the broker is away the service keeps serving
 * the model it has (or answers 503 when it has none) and this loop retries.
 */
@ApplicationScoped
public class SnapshotConsumer {
    private static final Logger LOG = Logger.getLogger(SnapshotConsumer.class);
    private final InferenceConfig config;
    private final ModelService models;
    private final InferenceMetrics metrics;
    private final DeadLetterPublisher deadLetters;
    private final SnapshotAcceptance acceptance;
    private final ModelControlFollower control;
    private final Promoter promoter;
    private final SnapshotTrust trust;
    private final TopicTail tail;
    private final SnapshotCatchUp catchUp;
    /** The end offsets at the current connection, until the catch-up is reached; only the tail's thread uses them. */
    private Map<TopicPartition, Long> end = Map.of();

    /** The tail is built here (not injected): it is this consumer's own thread, with its settings. */
    public SnapshotConsumer(KafkaClientFactory kafka, TopicInitializer topics, InferenceConfig config,
                            ModelService models, InferenceMetrics metrics, DeadLetterPublisher deadLetters,
                            SnapshotTrust trust, ModelControlFollower control, Promoter promoter,
                            SnapshotCatchUp catchUp) {
        this.control = control;
        this.catchUp = catchUp;
        this.promoter = promoter;
        this.trust = trust;
        this.config = config;
        this.models = models;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.acceptance = new SnapshotAcceptance(java.util.Set.copyOf(models.names()), trust, config.maxVersionStep());
        this.tail = trust.follow(kafka, "snapshot consumer", Topics.SNAPSHOTS, consumerSettings(), topics::ensure,
                config.snapshotPollTimeout(), config.snapshotRetryBackoff(), new TopicTail.Handler() {
                    @Override
                    public void beforeReading() {
                        awaitControl();
                    }

                    @Override
                    public void assigned(Consumer<byte[], byte[]> c, List<TopicPartition> partitions) {
                        LOG.infof("reading %s from the beginning for models %s", Topics.SNAPSHOTS, models.names());
                        end = c.endOffsets(partitions);
                    }

                    @Override
                    public void polled(Consumer<byte[], byte[]> c) {
                        if (!catchUp.done() && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                            LOG.infof("%s read to its end", Topics.SNAPSHOTS);
                            catchUp.reached();
                        }
                    }

                    @Override
                    public void handle(ConsumerRecord<byte[], byte[]> r) {
                        SnapshotConsumer.this.handle(r);
                    }
                });
    }

    void start(@Observes StartupEvent event) {
        trust.report(true, "this service can serve nothing until a key is configured");
        tail.start();
    }

    void stop(@Observes ShutdownEvent event) {
        tail.stop();
    }

    /** Whether the consumer thread is running (shown by the liveness check). */
    public boolean alive() {
        return tail.alive();
    }

    /**
     * A pin must be known before the snapshots are read, or a restarted replica would read past the
     * pinned version and trim it away: the model-control topic is read to its end first (bounded; a
     * pin read later still applies once its version is here).
     */
    private void awaitControl() {
        try {
            if (!control.awaitCaughtUp(config.controlCatchUpTimeout())) {
                LOG.warnf("%s not read to its end within %s: reading snapshots anyway", Topics.MODEL_CONTROL,
                        config.controlCatchUpTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The snapshot consumer's own settings, laid over the service's connection settings. */
    static Map<String, Object> consumerSettings() {
        return Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "inference-snapshots",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        SnapshotAcceptance.Decision d = acceptance.decide(r.key(), r.value(),
                name -> served(name).registry().state().highestSeen());
        if (d instanceof SnapshotAcceptance.OtherModel) {
            metrics.snapshot(InferenceMetrics.OTHER_MODEL, "other_model");
        } else if (d instanceof SnapshotAcceptance.Reject reject) {
            reject(r, reject);
        } else if (d instanceof SnapshotAcceptance.Accept accept) {
            served(accept.model()).offer(LoadedModel.of(accept.snapshot(), Instant.now()));
        } else if (d instanceof SnapshotAcceptance.NotNewer old) {
            // the registry counts and logs it (and stays the authority under concurrent pins)
            served(old.model()).offer(LoadedModel.of(old.snapshot(), Instant.now()));
        }
    }

    /** A model name the acceptance rule has routed: always one served here. */
    private ServedModel served(String name) {
        return models.byName(name).orElseThrow(() -> new IllegalStateException("model '" + name + "' is not served"));
    }

    private void reject(ConsumerRecord<byte[], byte[]> r, SnapshotAcceptance.Reject rejection) {
        String reason = rejection.reason();
        metrics.snapshotRejected(rejection.model(), rejection.tag());
        LOG.warnf("rejected snapshot of '%s' at %s-%d@%d: %s (its live version keeps serving)", rejection.model(),
                r.topic(), r.partition(), r.offset(), reason);
        try {
            deadLetters.send(r.topic(), r.partition(), r.offset(), r.key(), r.value(), reason).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf("could not dead-letter the rejected snapshot at offset %d: %s", r.offset(), e.getMessage());
        }
        if (rejection.signedVersion() != null) {
            // authentic but unservable (a diverged run): refused as a promotion verdict too, so every replica and
            // the operator see that version refused with its reason, not only a dead letter
            promoter.refuseUnloadable(served(rejection.model()), rejection.signedVersion(), reason);
        }
    }
}
