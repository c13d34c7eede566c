package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.PromotionFixture.AUTH;
import static dev.fmnist.inference.it.PromotionFixture.MODEL;
import static dev.fmnist.inference.it.PromotionFixture.TIMEOUT;
import static dev.fmnist.inference.it.PromotionFixture.await;
import static dev.fmnist.inference.it.PromotionFixture.classifyLabelled;
import static dev.fmnist.inference.it.PromotionFixture.live;
import static dev.fmnist.inference.it.PromotionFixture.state;
import static dev.fmnist.inference.it.PromotionFixture.versions;
import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.ModelControlCodec;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.inference.domain.VersionVerdict;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gated policy on a real broker: the first model is promoted on the floor, a better candidate by the shadow
 * gate on labelled traffic, another on its offline gates when there is no labelled traffic; a poisoned candidate (low
 * test accuracy), a worse one (below live minus the tolerance) and a diverged one (NaN weights, authentically
 * signed) are refused with an alert on fmnist.alerts while the served version stays; an admin may still pin a
 * refused one; and a fresh reader of the two topics (a restarted or new replica) reaches the same state.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(PromotionIT.Profile.class)
class PromotionIT {
    private static FashionMnistData data;
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    /** The fixture's settings under gated, with a short shadow wait. */
    public static class Profile extends PromotionFixture.Profile {
        @Override
        protected Map<String, String> promotion() {
            return Map.of("fmnist.inference.promotion.policy", "gated",
                    "fmnist.inference.promotion.shadow.min-labelled", "200",
                    "fmnist.inference.promotion.shadow.max-wait", "PT30S");
        }
    }

    @BeforeAll
    static void load() {
        data = SoftmaxFit.data();
    }

    @Test
    void candidatesArePromotedOnlyWhenTheyPassTheGatesAndEveryReaderOfTheTopicsAgrees() throws Exception {
        PromotionFixture promotion = new PromotionFixture(kafka);
        SoftmaxFit.Fit first = SoftmaxFit.fit(data, 10_000, 1, 1);
        SoftmaxFit.Fit better = SoftmaxFit.fit(data, 60_000, 2, 1);
        SoftmaxFit.Fit poisoned = measured(SoftmaxFit.random(9, 0.05));
        SoftmaxFit.Fit worse = SoftmaxFit.fit(data, 2_000, 1, 5);
        System.out.printf("test accuracy: first %.4f, better %.4f, poisoned %.4f, worse %.4f%n", first.testAccuracy(),
                better.testAccuracy(), poisoned.testAccuracy(), worse.testAccuracy());
        assertTrue(worse.testAccuracy() < better.testAccuracy() - 0.005 && worse.testAccuracy() > 0.5);

        // the first model of a name: promoted when it passes the floor
        promotion.publish(1, first);
        await("v1 serves", () -> live() == 1);
        Alert promoted1 = promotion.alert(Alert.Kind.PROMOTED, 1);
        assertTrue(promoted1.reason().contains("the first version"), promoted1.reason());

        // a better candidate, shadow-scored on labelled traffic (which exists: some came before it): promoted by
        // the shadow gate
        classifyLabelled(data, 0, 20);
        promotion.publish(2, better);
        await("v2 is a candidate", () -> "candidate".equals(state(2)));
        assertEquals(1, live());
        classifyLabelled(data, 20, 250);
        await("v2 serves", () -> live() == 2);
        Alert promoted2 = promotion.alert(Alert.Kind.PROMOTED, 2);
        assertTrue(promoted2.reason().startsWith("shadow gate"), promoted2.reason());
        assertEquals(1L, promoted2.versions().get("previous"));
        assertTrue(promoted2.figures().get("shadowLabelled") >= 200, promoted2.figures().toString());

        // poisoned (test accuracy about 0.1) and worse (below live minus the tolerance): refused, v2 serves on
        promotion.publish(3, poisoned);
        Alert refused3 = promotion.alert(Alert.Kind.REFUSED, 3);
        assertTrue(refused3.reason().contains("below the floor"), refused3.reason());
        assertEquals(2L, refused3.versions().get("live"));
        promotion.publish(4, worse);
        Alert refused4 = promotion.alert(Alert.Kind.REFUSED, 4);
        assertTrue(refused4.reason().contains("below the live v2's"), refused4.reason());
        assertEquals(2, live());
        JsonPath versions = versions();
        assertEquals("gated", versions.getString("policy"));
        assertEquals(true, versions.getBoolean("autoRollback"));
        assertEquals("refused", state(3));
        assertTrue(versions.getString("versions.find { it.version == 3 }.reason").contains("below the floor"));

        // a diverged run's snapshot (NaN weights, signed by the trainer's key): dead-lettered and refused by name
        byte[] nan = nanSigned(SoftmaxFit.snapshot(MODEL, 5, better, Instant.now()));
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(SoftmaxFit.snapshot(MODEL, 5, better,
                Instant.now())), nan));
        Alert refused5 = promotion.alert(Alert.Kind.REFUSED, 5);
        assertTrue(refused5.reason().contains("non-finite weights"), refused5.reason());
        var dead = firstMatch(kafka, Topics.DEAD_LETTER, r -> Arrays.equals(nan, r.value()), TIMEOUT);
        assertTrue(DeadLetters.header(dead.headers(), DeadLetters.REASON).contains("NaN"));
        assertEquals(2, live());

        // without (enough) labelled traffic the offline gates alone promote a candidate that passes them: at once
        // when no labelled request came within max-wait, else after max-wait
        promotion.publish(6, SoftmaxFit.fit(data, 60_000, 3, 2));
        await("v6 serves", () -> live() == 6);
        assertTrue(promotion.alert(Alert.Kind.PROMOTED, 6).reason().contains("so the offline gates decide"));

        // an admin may pin a refused version; unpinning returns to the policy's choice
        given().header("Authorization", AUTH).contentType("application/json").body("{\"version\": 3}")
                .post("/api/v1/model/pin").then().statusCode(200);
        assertEquals(3, live());
        given().header("Authorization", AUTH).delete("/api/v1/model/pin").then().statusCode(200);
        assertEquals(6, live());

        // a replica started now (or this one restarted) reads the same decisions: control topic, then snapshots
        ModelRegistry fresh = replay(promotion);
        assertEquals(6, fresh.live().version());
        assertEquals(ModelVerdict.Verdict.REFUSE, fresh.state().verdict(3).verdict());
        assertEquals(ModelVerdict.Verdict.REFUSE, fresh.state().verdict(5).verdict());
        assertEquals(ModelVerdict.Verdict.PROMOTE, fresh.state().verdict(2).verdict());
    }

    /** A fit's weights with its test accuracy measured (an untrained net scores about 0.1). */
    private static SoftmaxFit.Fit measured(SoftmaxFit.Fit f) {
        double acc = SoftmaxFit.evaluate(f.w(), f.b(), data.test(), data.test().count())[1];
        return new SoftmaxFit.Fit(f.w(), f.b(), 2.3, 0.1, acc, 1);
    }

    /**
     * The snapshot signed by the trainer's key with W[0][0] = NaN: what a diverged run would publish if its
     * writer did not refuse (ours does). Layout of a signed record: body, signature length (1), Ed25519
     * signature (64), CRC32C (4).
     */
    static byte[] nanSigned(WeightSnapshot s) {
        byte[] record = TestSigning.signed(s);
        int signedLength = record.length - 4 - SnapshotSigning.SIGNATURE_BYTES - 1;
        int params = 4 * s.network().architecture().parameterCount();
        ByteBuffer.wrap(record).putFloat(signedLength - params, Float.NaN);
        System.arraycopy(TestSigning.SIGNING.sign(record, signedLength), 0, record, signedLength + 1,
                SnapshotSigning.SIGNATURE_BYTES);
        CRC32C crc = new CRC32C();
        crc.update(record, 0, record.length - 4);
        ByteBuffer.wrap(record).putInt(record.length - 4, (int) crc.getValue());
        return record;
    }

    /** Reads fmnist.model-control and then fmnist.snapshots from the beginning into a fresh registry. */
    private static ModelRegistry replay(PromotionFixture promotion) {
        ModelRegistry r = new ModelRegistry(5, PromotionConfig.Policy.GATED, m -> { });
        SnapshotSigning control = SnapshotSigning.signer(TestSigning.CONTROL_KEY, null);
        for (ConsumerRecord<byte[], byte[]> rec : promotion.all(Topics.MODEL_CONTROL)) {
            String key = new String(rec.key(), StandardCharsets.UTF_8);
            if (ModelVerdict.parseKey(key).isPresent()) {
                ModelVerdict v = ModelControlCodec.decodeVerdict(rec.value(), control);
                r.decide(v.version(), VersionVerdict.of(v));
            } else {
                var c = ModelControlCodec.decode(rec.value(), control);
                r.follow(c.pinned() ? c.pinnedVersion() : null);
            }
        }
        for (ConsumerRecord<byte[], byte[]> rec : promotion.all(Topics.SNAPSHOTS)) {
            try {
                r.offer(LoadedModel.of(WeightSnapshotCodec.decode(rec.value(), TestSigning.PUBLIC), Instant.now()));
            } catch (RuntimeException e) {
                // the NaN record: not servable, as in the service
            }
        }
        return r;
    }
}
