package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.PromotionFixture.AUTH;
import static dev.fmnist.inference.it.PromotionFixture.await;
import static dev.fmnist.inference.it.PromotionFixture.live;
import static dev.fmnist.inference.it.PromotionFixture.metric;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.support.SoftmaxFit;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.Map;
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
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    /** The fixture's settings (policy latest) with the documented rollback defaults. */
    public static class Profile extends PromotionFixture.Profile {
        @Override
        protected Map<String, String> promotion() {
            return Map.of("fmnist.inference.promotion.rollback.enabled", "true",
                    "quarkus.log.category.\"dev.fmnist.inference.promotion\".level", "DEBUG");
        }
    }

    @Test
    void aWorseLiveVersionIsRolledBackWithin2000LabelledRequestsAndAPinIsNeverOverridden() {
        PromotionFixture promotion = new PromotionFixture(kafka);
        FashionMnistData data = SoftmaxFit.data();
        SoftmaxFit.Fit good = SoftmaxFit.fit(data, 60_000, 10, 1);
        SoftmaxFit.Fit restarted = SoftmaxFit.fit(data, 60_000, 1, 7);
        System.out.printf("test accuracy: good %.4f, restarted for one epoch %.4f%n", good.testAccuracy(),
                restarted.testAccuracy());
        assertTrue(restarted.testAccuracy() < good.testAccuracy() - 0.02);
        promotion.publish(1, good);
        await("v1 serves", () -> live() == 1);
        promotion.publish(2, restarted);
        await("v2 serves at once (latest)", () -> live() == 2);

        int sent = 0;
        while (sent < 2000 && live() == 2) {
            PromotionFixture.classifyLabelled(data, sent, 100);
            sent += 100;
            // the shadow thread scores asynchronously: let it catch up with what was sent before the next hundred
            int shadowed = sent;
            await("baseline scored " + shadowed, () -> live() != 2 || baselineScored() >= shadowed);
        }
        int sentWhenRolledBack = sent;
        await("v2 rolled back to v1", () -> live() == 1);
        Alert rolledBack = promotion.alert(Alert.Kind.ROLLED_BACK);
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
            PromotionFixture.classifyLabelled(data, k, 100);
        }
        Awaitility.await("a pin is never overridden").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> live() == 2);
        assertEquals(0, given().get("/q/metrics").then().extract().asString().lines()
                .filter(l -> l.startsWith("fmnist_inference_shadow_version{") && l.contains("role=\"baseline\"")
                        && !l.endsWith(" 0.0")).count(), "no baseline is shadowed while pinned");
    }

    /** fmnist_inference_shadow_requests_total of the baseline role. */
    private static double baselineScored() {
        return metric("fmnist_inference_shadow_requests_total", "role=\"baseline\"");
    }
}
