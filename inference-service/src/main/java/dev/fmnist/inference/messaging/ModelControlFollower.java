package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.ModelControl;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.inference.domain.VersionVerdict;
import dev.fmnist.contracts.Topics;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.kafka.TopicTail;
import dev.fmnist.support.snapshots.SnapshotTrust;
import dev.fmnist.support.topics.TopicInitializer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Follows {@link Topics#MODEL_CONTROL} from the beginning on a dedicated thread, like the snapshot
 * consumer: no group, no commits, so every replica (one started later, one restarted) reads every
 * decision and ends in the same serving state. Two kinds of records: a pin per model (key = model name) and a
 * promotion verdict per version (key {@code <model>/v<version>}, {@link ModelVerdict}). Only committed records the {@link SnapshotTrust} verifies
 * are applied; a forged or malformed one is dead-lettered and changes nothing. A signed record older
 * than the one in force (a replay) is ignored.
 */
@ApplicationScoped
public class ModelControlFollower {
    private static final Logger LOG = Logger.getLogger(ModelControlFollower.class);
    private final InferenceConfig config;
    private final ModelService models;
    private final InferenceMetrics metrics;
    private final DeadLetterPublisher deadLetters;
    private final SnapshotTrust trust;
    private final TopicTail tail;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    /** Per model name, when the decision in force was made (decisions of different models are independent). */
    private final Map<String, Instant> inForceSince = new ConcurrentHashMap<>();
    /** The partitions and their end offsets at the current connection; only the tail's thread uses them. */
    private List<TopicPartition> partitions = List.of();
    private Map<TopicPartition, Long> end = Map.of();

    /** The tail is built here (not injected): it is this follower's own thread, with its settings. */
    public ModelControlFollower(KafkaClientFactory kafka, TopicInitializer topics, InferenceConfig config,
                                ModelService models, InferenceMetrics metrics, DeadLetterPublisher deadLetters,
                                SnapshotTrust trust) {
        this.config = config;
        this.models = models;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.trust = trust;
        this.tail = trust.follow(kafka, "model-control follower", Topics.MODEL_CONTROL, consumerSettings(),
                topics::ensure, config.snapshotPollTimeout(), config.snapshotRetryBackoff(), new TopicTail.Handler() {
                    @Override
                    public void assigned(Consumer<byte[], byte[]> c, List<TopicPartition> assigned) {
                        partitions = assigned;
                        end = c.endOffsets(assigned);
                    }

                    @Override
                    public void handle(ConsumerRecord<byte[], byte[]> r) {
                        ModelControlFollower.this.handle(r);
                    }

                    @Override
                    public void polled(Consumer<byte[], byte[]> c) {
                        checkCaughtUp(c);
                    }
                });
    }

    void start(@Observes StartupEvent event) {
        tail.start();
    }

    void stop(@Observes ShutdownEvent event) {
        tail.stop();
    }

    /** Whether the follower thread is running. */
    public boolean alive() {
        return tail.alive();
    }

    /** Waits until the topic has been read to the end it had when this replica started; false on timeout. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** When the decision in force for {@code modelName} was made (a new one must be later; {@link Instant#EPOCH} before any). */
    public Instant inForceSince(String modelName) {
        return inForceSince.getOrDefault(modelName, Instant.EPOCH);
    }

    /** Waits until this replica has read the record at {@code offset} of {@code partition}; false on timeout. */
    public boolean awaitRead(TopicPartition partition, long offset, Duration timeout) throws InterruptedException {
        return tail.awaitRead(partition, offset, timeout);
    }

    private void checkCaughtUp(Consumer<byte[], byte[]> c) {
        if (caughtUp.getCount() > 0 && partitions.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
            for (ServedModel m : models.served()) {
                LOG.infof("%s read to its end: model '%s' %s", Topics.MODEL_CONTROL, m.name(),
                        describe(m.registry().state().pinned()));
            }
            caughtUp.countDown();
        }
    }

    /** The follower's own settings, laid over the service's connection settings. */
    static Map<String, Object> consumerSettings() {
        return Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "inference-model-control",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    }

    /**
     * Applies a record to the served model its key names (records are keyed by model name); a record of a
     * model not served here is skipped. A record without a key is checked against the default model, so
     * the trust rule refuses it with its reason as before.
     */
    private void handle(ConsumerRecord<byte[], byte[]> r) {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        var verdictKey = ModelVerdict.parseKey(key);
        if (verdictKey.isPresent()) {
            handleVerdict(r, verdictKey.get());
            return;
        }
        ServedModel model = key == null ? models.defaultModel() : models.byName(key).orElse(null);
        if (model == null) {
            metrics.control(InferenceMetrics.OTHER_MODEL, "other_model");
            return;
        }
        SnapshotTrust.Verdict<ModelControl> verdict = trust.control(r.key(), r.value(), model.name());
        if (verdict instanceof SnapshotTrust.Refused<ModelControl> refused) {
            reject(r, model, refused.reason());
            return;
        }
        if (!(verdict instanceof SnapshotTrust.Trusted<ModelControl> trusted)) {
            metrics.control(InferenceMetrics.OTHER_MODEL, "other_model");
            return;
        }
        ModelControl control = trusted.value();
        Instant inForce = inForceSince(model.name());
        if (control.updatedAt().isBefore(inForce)) {
            model.meters().control("stale");
            LOG.warnf("ignored model control of '%s' at %s-%d@%d: %s made at %s, before the decision in force (%s)",
                    model.name(), r.topic(), r.partition(), r.offset(), control.action(), control.updatedAt(), inForce);
            return;
        }
        inForceSince.put(model.name(), control.updatedAt());
        var state = model.registry().follow(control.pinned() ? control.pinnedVersion() : null);
        model.meters().control("applied");
        LOG.infof("model control %s of '%s': %s (serving %s)",
                control.action().name().toLowerCase(java.util.Locale.ROOT), model.name(), describe(state.pinned()),
                state.live() == null ? "nothing yet" : "v" + state.live().version());
    }

    /**
     * A promotion verdict ({@code <model>/v<version>}): applied to that version unless it is a replay. Its key's
     * tombstone (written once the verdict can no longer matter) is applied by the registry's rule.
     */
    private void handleVerdict(ConsumerRecord<byte[], byte[]> r, ModelVerdict.Key key) {
        ServedModel model = models.byName(key.modelName()).orElse(null);
        if (model == null) {
            metrics.control(InferenceMetrics.OTHER_MODEL, "other_model");
            return;
        }
        SnapshotTrust.Verdict<ModelVerdict> verdict = trust.verdict(r.key(), r.value(), model.name());
        if (verdict instanceof SnapshotTrust.Refused<ModelVerdict> refused) {
            reject(r, model, refused.reason());
            return;
        }
        if (verdict instanceof SnapshotTrust.Deleted<ModelVerdict> deleted) {
            boolean forgotten = model.registry().deleted(deleted.version());
            model.meters().control("deleted");
            LOG.debugf("verdict on %s/v%d deleted at %s-%d@%d (%s)", model.name(), deleted.version(), r.topic(),
                    r.partition(), r.offset(), forgotten ? "forgotten here" : "none held here, or its version is retained");
            return;
        }
        if (!(verdict instanceof SnapshotTrust.Trusted<ModelVerdict> trusted)) {
            metrics.control(InferenceMetrics.OTHER_MODEL, "other_model");
            return;
        }
        ModelVerdict v = trusted.value();
        if (!model.registry().decide(v.version(), VersionVerdict.of(v))) {
            model.meters().control("stale");
            LOG.warnf("ignored verdict %s on %s at %s-%d@%d: made at %s, before the verdict in force", v.verdict().wire(),
                    v.key(), r.topic(), r.partition(), r.offset(), v.decidedAt());
            return;
        }
        model.meters().control("applied");
        var state = model.registry().state();
        LOG.infof("verdict %s on %s: %s (serving %s%s)", v.verdict().wire(), v.key(), v.reason(),
                state.live() == null ? "nothing yet" : "v" + state.live().version(),
                model.registry().releases(v.version()) ? "; that version can no longer matter: its key is deleted" : "");
    }

    private static String describe(Long pinned) {
        return pinned == null ? "follows the newest version" : "pinned to v" + pinned;
    }

    private void reject(ConsumerRecord<byte[], byte[]> r, ServedModel model, String reason) {
        model.meters().control("rejected");
        LOG.warnf("rejected model control at %s-%d@%d: %s (the serving state is unchanged)", r.topic(), r.partition(),
                r.offset(), reason);
        try {
            deadLetters.send(r.topic(), r.partition(), r.offset(), r.key(), r.value(), reason)
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf("could not dead-letter the rejected model control at offset %d: %s", r.offset(), e.getMessage());
        }
    }
}
