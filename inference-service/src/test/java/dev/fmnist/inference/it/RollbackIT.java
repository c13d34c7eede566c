package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Automatic rollback under {@code latest}: a good version (about 0.83), then a worse one (a run restarted from
 * scratch for one epoch) that goes live at once; labelled test images roll it back, within 2,000 of them, to the
 * good one, with a rolled-back alert carrying the figures. An admin's pin of the worse version is never
 * overridden.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(RollbackIT.Profile.class)
class RollbackIT {
    private static final String MODEL = "fmnist-softmax";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String AUTH = "Bearer " + KafkaItProfile.ADMIN_TOKEN;
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    /** KafkaItProfile's settings (policy latest) with the documented rollback defaults. */
    public static class Profile extends KafkaItProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("fmnist.inference.models", "softmax");
            m.put("fmnist.inference.promotion.rollback.enabled", "true");
            m.put("quarkus.log.category.\"dev.fmnist.inference.promotion\".level", "DEBUG");
            return m;
        }
    }

    @Test
    void aWorseLiveVersionIsRolledBackWithin2000LabelledRequestsAndAPinIsNeverOverridden() {
        FashionMnistData data = SoftmaxFit.data();
        SoftmaxFit.Fit good = SoftmaxFit.fit(data, 60_000, 10, 1);
        SoftmaxFit.Fit restarted = SoftmaxFit.fit(data, 60_000, 1, 7);
        System.out.printf("test accuracy: good %.4f, restarted for one epoch %.4f%n", good.testAccuracy(),
                restarted.testAccuracy());
        assertTrue(restarted.testAccuracy() < good.testAccuracy() - 0.02);
        publish(1, good);
        await("v1 serves", () -> live() == 1);
        publish(2, restarted);
        await("v2 serves at once (latest)", () -> live() == 2);

        int sent = 0;
        while (sent < 2000 && live() == 2) {
            PromotionIT.classifyLabelled(data, sent, 100);
            sent += 100;
            // the shadow thread scores asynchronously: let it catch up with what was sent before the next hundred
            int shadowed = sent;
            await("baseline scored " + shadowed, () -> live() != 2 || baselineScored() >= shadowed);
        }
        int sentWhenRolledBack = sent;
        await("v2 rolled back to v1", () -> live() == 1);
        Alert rolledBack = AlertCodec.decode(firstMatch(kafka, Topics.ALERTS,
                r -> AlertCodec.decode(r.value(), TestSigning.CONTROL_PUBLIC).kind() == Alert.Kind.ROLLED_BACK, TIMEOUT).value(), TestSigning.CONTROL_PUBLIC);
        System.out.printf("rolled back after %d labelled requests sent: %s %s%n", sentWhenRolledBack,
                rolledBack.reason(), rolledBack.figures());
        assertEquals(Map.of("from", 2L, "to", 1L), rolledBack.versions());
        assertTrue(rolledBack.figures().get("labelled") <= 2000, rolledBack.figures().toString());
        assertTrue(rolledBack.figures().get("pValue") < 0.01 / 10, rolledBack.figures().toString());
        assertEquals("rolled-back", given().header("Authorization", AUTH).get("/api/v1/model/versions").jsonPath()
                .getString("versions.find { it.version == 2 }.state"));

        // an admin pins the rolled-back version: it serves, and no rollback test runs while pinned
        given().header("Authorization", AUTH).contentType("application/json").body("{\"version\": 2}")
                .post("/api/v1/model/pin").then().statusCode(200);
        for (int k = 2000; k < 4000; k += 100) {
            PromotionIT.classifyLabelled(data, k, 100);
        }
        Awaitility.await("a pin is never overridden").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> live() == 2);
        assertEquals(0, given().get("/q/metrics").then().extract().asString().lines()
                .filter(l -> l.startsWith("fmnist_inference_shadow_version{") && l.contains("role=\"baseline\"")
                        && !l.endsWith(" 0.0")).count(), "no baseline is shadowed while pinned");
    }

    private void publish(long version, SoftmaxFit.Fit fit) {
        WeightSnapshot s = SoftmaxFit.snapshot(MODEL, version, fit, Instant.now());
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s)));
    }

    /** fmnist_inference_shadow_requests_total of the baseline role. */
    private static double baselineScored() {
        return given().get("/q/metrics").then().extract().asString().lines()
                .filter(l -> l.startsWith("fmnist_inference_shadow_requests_total{") && l.contains("role=\"baseline\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static long live() {
        var r = given().get("/api/v1/model");
        return r.statusCode() == 200 ? r.jsonPath().getLong("version") : -1;
    }

    private static void await(String what, java.util.function.BooleanSupplier done) {
        Awaitility.await(what).atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(done::getAsBoolean);
    }
}
