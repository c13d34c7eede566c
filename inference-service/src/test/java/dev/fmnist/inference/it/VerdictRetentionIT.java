package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.ModelControlCodec;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.inference.domain.VersionVerdict;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Verdict keys on a real broker stay bounded: after more candidates than {@code keep-versions}, each promoted in
 * turn, fmnist.model-control (read from the beginning and folded by key, as compaction leaves it) holds the verdicts
 * of the retention window only, a verdict written again for a released version is deleted again, and a reader
 * started over the topics reaches the running replica's state.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(VerdictRetentionIT.Profile.class)
class VerdictRetentionIT {
    private static final String MODEL = "fmnist-softmax";
    private static final int KEEP = 3;
    private static final int VERSIONS = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;
    @Inject
    ModelService models;

    /** A profile of its own (a fresh app and broker): gated, {@value #KEEP} versions kept. */
    public static class Profile extends KafkaItProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("fmnist.inference.models", "softmax");
            m.put("fmnist.inference.promotion.policy", "gated");
            m.put("fmnist.inference.keep-versions", Integer.toString(KEEP));
            return m;
        }
    }

    @Test
    void onlyTheRetentionWindowsVerdictsStayOnTheTopicAndAFreshReaderReachesTheRunningState() {
        SoftmaxFit.Fit fit = SoftmaxFit.fit(SoftmaxFit.data(), 10_000, 1, 1);
        for (long v = 1; v <= VERSIONS; v++) {
            publish(v, fit);
            long version = v;
            await("v" + v + " promoted and serving", () -> running().live() != null && running().live().version() == version);
        }
        Set<Long> window = Set.of(6L, 7L, 8L);
        await("only the window's verdict keys on the topic", () -> verdictKeys().equals(window));

        // a verdict of a released version written again (a topic written before deletions, a late replica): deleted again
        SnapshotSigning control = SnapshotSigning.signer(TestSigning.CONTROL_KEY, null);
        ModelVerdict late = new ModelVerdict(MODEL, 2, ModelVerdict.Verdict.PROMOTE, "written late", Instant.now());
        send(kafka, new ProducerRecord<>(Topics.MODEL_CONTROL, late.key().getBytes(StandardCharsets.UTF_8),
                ModelControlCodec.encodeVerdict(late, control)));
        await("the late verdict deleted again", () -> !all(Topics.MODEL_CONTROL).isEmpty()
                && lastValueIsNull(ModelVerdict.key(MODEL, 2)));
        await("only the window's verdict keys on the topic again", () -> verdictKeys().equals(window));
        await("nothing left to delete", () -> running().releasedVerdicts().isEmpty());

        ModelRegistry.State now = running().state();
        assertEquals(window, now.verdicts().keySet(), "held here: the window's verdicts only");
        ModelRegistry fresh = replay(control);
        assertEquals(now.verdicts(), fresh.state().verdicts());
        assertEquals(versions(now.retained()), versions(fresh.state().retained()));
        assertEquals(now.live().version(), fresh.live().version());
        assertTrue(fresh.releasedVerdicts().isEmpty(), "a fresh reader has nothing to delete: " + fresh.releasedVerdicts());
    }

    private ModelRegistry running() {
        return models.defaultModel().registry();
    }

    private void publish(long version, SoftmaxFit.Fit fit) {
        WeightSnapshot s = SoftmaxFit.snapshot(MODEL, version, fit, Instant.now());
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s)));
    }

    /** The verdict keys of the model left once the topic is folded by key (a tombstone deletes its key). */
    private Set<Long> verdictKeys() {
        Map<String, byte[]> folded = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : all(Topics.MODEL_CONTROL)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                folded.remove(key);
            } else {
                folded.put(key, r.value());
            }
        }
        Set<Long> out = new TreeSet<>();
        folded.keySet().forEach(k -> ModelVerdict.parseKey(k).filter(p -> p.modelName().equals(MODEL))
                .ifPresent(p -> out.add(p.version())));
        return out;
    }

    private boolean lastValueIsNull(String key) {
        List<ConsumerRecord<byte[], byte[]>> records = all(Topics.MODEL_CONTROL);
        for (int i = records.size() - 1; i >= 0; i--) {
            if (key.equals(new String(records.get(i).key(), StandardCharsets.UTF_8))) {
                return records.get(i).value() == null;
            }
        }
        return false;
    }

    /** Reads fmnist.model-control and then fmnist.snapshots from the beginning into a fresh registry, as a replica does. */
    private ModelRegistry replay(SnapshotSigning control) {
        ModelRegistry r = new ModelRegistry(KEEP, PromotionConfig.Policy.GATED, m -> { });
        for (ConsumerRecord<byte[], byte[]> rec : all(Topics.MODEL_CONTROL)) {
            var key = ModelVerdict.parseKey(new String(rec.key(), StandardCharsets.UTF_8));
            if (key.isEmpty()) {
                continue; // no pin in this test
            }
            if (rec.value() == null) {
                r.deleted(key.get().version());
            } else {
                ModelVerdict v = ModelControlCodec.decodeVerdict(rec.value(), control);
                r.decide(v.version(), VersionVerdict.of(v));
            }
        }
        for (ConsumerRecord<byte[], byte[]> rec : all(Topics.SNAPSHOTS)) {
            r.offer(LoadedModel.of(WeightSnapshotCodec.decode(rec.value(), TestSigning.PUBLIC), Instant.now()));
        }
        return r;
    }

    private List<ConsumerRecord<byte[], byte[]>> all(String topic) {
        TopicPartition p = new TopicPartition(topic, 0);
        long end = kafka.offsets().get(p, OffsetSpec.latest()).offset();
        return kafka.consume(byte[].class, byte[].class).fromOffsets(Map.of(p, 0L), end).awaitCompletion(TIMEOUT)
                .getRecords();
    }

    private static List<Long> versions(List<LoadedModel> models) {
        return models.stream().map(LoadedModel::version).toList();
    }

    private static void await(String what, BooleanSupplier done) {
        Awaitility.await(what).atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(done::getAsBoolean);
    }
}
