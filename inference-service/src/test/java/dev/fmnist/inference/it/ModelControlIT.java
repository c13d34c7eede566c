package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.broker.FreePorts;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.ModelControl;
import dev.fmnist.contracts.ModelControlCodec;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestJwt;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Two inference replicas on one real broker: A is this test's Quarkus app, B the packaged service
 * ({@code target/quarkus-app/quarkus-run.jar}) run as a process of its own, as a second pod would
 * be. A pin made on one replica is served by both, survives a restart of the other, and an unpin
 * made on either releases both; a forged control record changes nothing.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(ModelControlIT.Profile.class)
class ModelControlIT {
    private static final String MODEL = "fmnist-softmax";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH = "Bearer " + KafkaItProfile.ADMIN_TOKEN;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Process replicaB;
    private static int portB;
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    /**
     * A profile of its own, so this class gets a fresh app (and broker) rather than another IT's
     * state; replica A also accepts JWTs of the test's identity provider.
     */
    public static class Profile extends KafkaItProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("fmnist.auth.jwt.public-key", TestJwt.publicKeyPem());
            config.put("fmnist.auth.jwt.issuer", TestJwt.ISSUER);
            return config;
        }
    }

    @AfterAll
    static void stopB() throws InterruptedException {
        stop();
    }

    @Test
    void aPinOnOneReplicaIsServedByAllSurvivesARestartAndAnUnpinReleasesAll() throws Exception {
        long base = given().header("Authorization", AUTH).get("/api/v1/model/versions").then().statusCode(200)
                .extract().jsonPath().getLong("highestSeen");
        for (long v = base + 1; v <= base + 3; v++) {
            publish(v);
        }
        portB = FreePorts.take();
        startB();
        await("A serves v" + (base + 3), () -> versionOnA() == base + 3);
        await("B serves v" + (base + 3), () -> versionOnB() == base + 3);

        // a misspelt field is refused by name, never taken for a pin without a version
        given().header("Authorization", AUTH).contentType("application/json").body("{\"versoin\": " + (base + 1) + "}")
                .post("/api/v1/model/pin").then().statusCode(400).body("error", containsString("unknown field 'versoin'"));
        // pin on A: A answers once it has read its own record back, B follows the topic
        given().header("Authorization", AUTH).contentType("application/json").body("{\"version\": " + (base + 1) + "}")
                .post("/api/v1/model/pin").then().statusCode(200)
                .body("live", equalTo((int) (base + 1))).body("pinned", equalTo((int) (base + 1)))
                .body("pending", equalTo(false));
        await("B serves the pinned v" + (base + 1), () -> versionOnB() == base + 1);
        assertTrue(modelOnB().path("pinned").asBoolean(), modelOnB().toString());

        // a newer snapshot is retained, not served, on both
        publish(base + 4);
        await("B has read v" + (base + 4), () -> adminOnB("/api/v1/model/versions").path("highestSeen").asLong() == base + 4);
        await("A has read v" + (base + 4), () -> given().header("Authorization", AUTH).get("/api/v1/model/versions")
                .jsonPath().getLong("highestSeen") == base + 4);
        assertEquals(base + 1, versionOnA());
        assertEquals(base + 1, versionOnB());

        // B restarted: it reads the control topic, then the snapshots, and serves the pinned version again
        stop();
        startB();
        await("restarted B serves", () -> versionOnB() > 0);
        // it goes live on the first snapshot it handles; the later ones are read on its snapshot thread
        await("restarted B has read v" + (base + 4),
                () -> adminOnB("/api/v1/model/versions").path("highestSeen").asLong() == base + 4);
        assertEquals(base + 1, versionOnB(), "a restarted replica applies the pin");

        // a forged decision (signed with a key the replicas do not hold) is dead-lettered and changes nothing
        double rejected = rejectedOnA();
        byte[] forged = ModelControlCodec.encode(new ModelControl(MODEL, 0, ModelControl.Action.UNPIN,
                Instant.now().plusSeconds(3600)), TestSigning.OTHER);
        send(kafka, new ProducerRecord<>(Topics.MODEL_CONTROL, MODEL.getBytes(StandardCharsets.UTF_8), forged));
        var dead = firstMatch(kafka, Topics.DEAD_LETTER, r -> Arrays.equals(forged, r.value()), TIMEOUT);
        assertTrue(DeadLetters.header(dead.headers(), DeadLetters.REASON).contains("signature"),
                DeadLetters.header(dead.headers(), DeadLetters.REASON));
        await("A counts the forged record", () -> rejectedOnA() >= rejected + 1);
        assertEquals(base + 1, versionOnA());
        assertEquals(base + 1, versionOnB());

        // unpin on B: B answers once applied, A follows, both serve the newest version
        JsonNode unpinned = adminOnB("DELETE", "/api/v1/model/pin");
        assertEquals(base + 4, unpinned.path("live").asLong(), unpinned.toString());
        assertTrue(unpinned.path("pinned").isNull(), unpinned.toString());
        await("A follows the newest version again", () -> versionOnA() == base + 4);
        assertEquals(base + 4, versionOnB());
        publish(base + 5);
        await("A serves v" + (base + 5), () -> versionOnA() == base + 5);
        await("B serves v" + (base + 5), () -> versionOnB() == base + 5);
    }

    @Test
    void aSignedJwtWithTheAdminGroupMayControlTheModelAndOthersMayNot() {
        given().header("Authorization", "Bearer " + TestJwt.token("[\"admin\"]", null))
                .get("/api/v1/model/versions").then().statusCode(200);
        given().header("Authorization", "Bearer " + TestJwt.token("[\"writer\"]", null))
                .post("/api/v1/model/rollback").then().statusCode(403);
        given().header("Authorization", "Bearer " + TestJwt.token("[\"admin\"]", TestJwt.otherKey()))
                .post("/api/v1/model/rollback").then().statusCode(401).header("WWW-Authenticate", "Bearer");
        // the bearer tokens stay valid beside JWTs
        given().header("Authorization", AUTH).get("/api/v1/model/versions").then().statusCode(200);
    }

    private void publish(long version) {
        WeightSnapshot s = SoftmaxFit.snapshot(MODEL, version, SoftmaxFit.random(version, 0.01), Instant.now());
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s)));
    }

    private void startB() throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), "the packaged service is needed (mvn verify packages it before the ITs)");
        Path log = Path.of("target/model-control-it-replica-b.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.port=" + portB, "-Dquarkus.http.host=127.0.0.1",
                "-Dkafka.bootstrap.servers=" + kafka.getBootstrapServers(),
                "-Dfmnist.inference.snapshot-poll-timeout=PT0.1S", "-Dfmnist.inference.snapshot-retry-backoff=PT0.2S",
                // as replica A (KafkaItProfile): untrained snapshots serve at once
                "-Dfmnist.inference.promotion.policy=latest",
                "-jar", jar.toString()));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // secrets by environment, as ./fmnist and the manifests pass them
        b.environment().put("FMNIST_SNAPSHOTS_PUBLIC_KEYS", SnapshotSigning.publicKeyOf(TestSigning.KEY));
        b.environment().put("FMNIST_MODEL_CONTROL_SIGNING_KEY", TestSigning.CONTROL_KEY);
        b.environment().put("FMNIST_AUTH_ADMIN_TOKENS", KafkaItProfile.ADMIN_TOKEN);
        replicaB = b.start();
    }

    private static void stop() throws InterruptedException {
        if (replicaB != null && replicaB.isAlive()) {
            replicaB.destroy();
            if (!replicaB.waitFor(30, TimeUnit.SECONDS)) {
                replicaB.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static long versionOnA() {
        var r = given().get("/api/v1/model");
        return r.statusCode() == 200 ? r.jsonPath().getLong("version") : -1;
    }

    private static JsonNode modelOnB() {
        return callB("GET", "/api/v1/model", false);
    }

    private static long versionOnB() {
        return modelOnB().path("version").asLong(-1);
    }

    private static JsonNode adminOnB(String path) {
        return callB("GET", path, true);
    }

    private static JsonNode adminOnB(String method, String path) {
        return callB(method, path, true);
    }

    /** The JSON answer of replica B, or an empty object while it is not up (or answers non-2xx). */
    private static JsonNode callB(String method, String path, boolean admin) {
        assertTrue(replicaB.isAlive(), "replica B exited; see target/model-control-it-replica-b.log");
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portB + path))
                    .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
            if (admin) {
                req.header("Authorization", AUTH);
            }
            HttpResponse<String> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() / 100 == 2 ? JSON.readTree(r.body()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static double rejectedOnA() {
        double sum = 0;
        for (String line : given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith("fmnist_inference_model_control_total{") && line.contains("outcome=\"rejected\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(TIMEOUT).until(condition::getAsBoolean);
    }

}
