package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestNetworks;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two families served side by side against a real broker: softmax serving under load while a cnn's first
 * snapshot arrives under its own name (no failed request, both answer after), a cnn network published
 * under the softmax name refused while softmax keeps serving, and per-model routing (REST, OIP, pin,
 * export, 404 for a model not served; a Kafka request naming no model to the default one).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(MultiModelIT.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiModelIT {
    private static final String SOFTMAX = ModelFamily.SOFTMAX.modelName();
    private static final String CNN = ModelFamily.CNN.modelName();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FashionMnistData data;
    private static Network cnnNetwork;
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    @TestHTTPResource("/api/v1/classify")
    URI classifyUri;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** KafkaItProfile's settings, serving softmax (the default, listed first) and cnn. */
    public static class Profile extends KafkaItProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("fmnist.inference.models", "softmax,cnn");
            return m;
        }
    }

    @BeforeAll
    static void load() {
        data = SoftmaxFit.data();
        cnnNetwork = TestNetworks.random(ModelFamily.CNN, 23);
    }

    private static byte[] testImage(int k) {
        return Arrays.copyOfRange(data.test().images().pixels(), k * FashionMnist.PIXELS, (k + 1) * FashionMnist.PIXELS);
    }

    private void publish(WeightSnapshot s) {
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s)));
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }

    private static int liveVersion(String model) {
        Response r = given().queryParam("model", model).get("/api/v1/model");
        return r.statusCode() == 200 ? r.jsonPath().getInt("version") : -1;
    }

    private HttpResponse<String> classify(String query, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(classifyUri + query)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] jsonPixels(byte[] pixels) {
        StringBuilder b = new StringBuilder("{\"pixels\": [");
        for (int i = 0; i < pixels.length; i++) {
            b.append(i == 0 ? "" : ",").append(pixels[i] & 0xFF);
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static float[] probabilities(JsonNode answer) {
        float[] p = new float[FashionMnist.CLASSES];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) answer.get("probabilities").get(i).asDouble();
        }
        return p;
    }

    @Test
    @Order(1)
    void softmaxAloneIsServedButTheReplicaIsNotReadyUntilTheCnnArrives() {
        for (long v = 1; v <= 3; v++) {
            publish(SoftmaxFit.snapshot(SOFTMAX, v, SoftmaxFit.random(v, 0.05), Instant.now()));
        }
        await("softmax v3 live", () -> liveVersion("softmax") == 3);
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'model' }.data.reason", containsString(CNN));
        given().get("/v2/health/ready").then().statusCode(503);
        given().get("/v2/models/" + SOFTMAX + "/ready").then().statusCode(200);
        given().queryParam("model", "cnn").get("/api/v1/model").then().statusCode(503)
                .body("error", containsString("no model loaded yet: waiting for a snapshot of '" + CNN + "'"));
    }

    /** Softmax requests on four threads (default route, by id, by name, JSON) while the cnn's v1 arrives. */
    @Test
    @Order(2)
    void aCnnArrivingUnderItsOwnNameFailsNoSoftmaxRequestAndBothAnswerAfter() throws Exception {
        record Answer(String model, int status, String servedBy, long version, byte[] image, float[] probs) {
        }
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger cnnAnswers = new AtomicInteger();
        AtomicBoolean cnnLive = new AtomicBoolean();
        String[] softmaxQueries = {"", "?model=softmax", "?model=fmnist-softmax", "?model=softmax"};
        ExecutorService pool = Executors.newFixedThreadPool(softmaxQueries.length + 1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < softmaxQueries.length; t++) {
            String query = softmaxQueries[t];
            boolean json = t == 3;
            int seed = t;
            workers.add(pool.submit(() -> {
                for (int k = seed; !stop.get(); k += softmaxQueries.length) {
                    byte[] image = testImage(k % 1000);
                    HttpResponse<String> r = json ? classify(query, "application/json", jsonPixels(image))
                            : classify(query, "application/octet-stream", image);
                    JsonNode a = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
                    answers.add(new Answer(SOFTMAX, r.statusCode(), a == null ? r.body() : a.get("model").asText(),
                            a == null ? -1 : a.get("modelVersion").asLong(), image, a == null ? null : probabilities(a)));
                }
                return null;
            }));
        }
        // once the cnn is live here, a fifth thread asks it too (before, it would rightly answer 503)
        workers.add(pool.submit(() -> {
            for (int k = 0; !stop.get(); k++) {
                if (!cnnLive.get()) {
                    Thread.sleep(20);
                    continue;
                }
                byte[] image = testImage(k % 1000);
                HttpResponse<String> r = classify("?model=cnn", "application/octet-stream", image);
                JsonNode a = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
                answers.add(new Answer(CNN, r.statusCode(), a == null ? r.body() : a.get("model").asText(),
                        a == null ? -1 : a.get("modelVersion").asLong(), image, a == null ? null : probabilities(a)));
                cnnAnswers.incrementAndGet();
            }
            return null;
        }));
        await("softmax load running", () -> answers.size() > 300);
        publish(TestNetworks.snapshot(CNN, 1, cnnNetwork, Instant.now()));
        await("cnn v1 live", () -> liveVersion("cnn") == 1);
        cnnLive.set(true);
        int softmaxSoFar = answers.size();
        await("cnn answered 300 times beside softmax", () -> cnnAnswers.get() >= 300 && answers.size() > softmaxSoFar + 600);
        stop.set(true);
        for (Future<?> w : workers) {
            w.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<Answer> all = new ArrayList<>(answers);
        List<Answer> failed = all.stream().filter(a -> a.status() != 200).toList();
        assertEquals(List.of(), failed.stream().map(a -> a.model() + " " + a.status() + " " + a.servedBy()).toList(),
                "every request answered 200");
        Forward cnnForward = Forward.of(cnnNetwork);
        for (Answer a : all) {
            assertEquals(a.model(), a.servedBy(), "scored by the model it asked for");
            assertEquals(a.model().equals(SOFTMAX) ? 3 : 1, a.version());
        }
        for (Answer a : all.stream().filter(a -> a.model().equals(CNN)).limit(50).toList()) {
            assertArrayEquals(cnnForward.probabilities(a.image(), 0), a.probs(), 1e-6f,
                    "the cnn's answer is its network's forward pass");
        }
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/v2/health/ready").then().statusCode(200);
    }

    @Test
    @Order(3)
    void aCnnNetworkUnderTheSoftmaxNameIsRefusedAndSoftmaxKeepsServing() throws Exception {
        WeightSnapshot impostor = TestNetworks.snapshot(SOFTMAX, 4, TestNetworks.random(ModelFamily.CNN, 4), Instant.now());
        byte[] value = TestSigning.signed(impostor);
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(impostor), value));
        var dead = firstMatch(kafka, Topics.DEAD_LETTER, r -> Arrays.equals(value, r.value()), TIMEOUT);
        String reason = DeadLetters.header(dead.headers(), DeadLetters.REASON);
        assertTrue(reason.contains("carries a cnn network") && reason.contains("'" + SOFTMAX + "' is a softmax model"),
                reason);
        await("counted as a family mismatch", () -> metric("fmnist_inference_snapshots_rejected_total{model=\""
                + SOFTMAX + "\",reason=\"family_mismatch\"}") >= 1);
        assertEquals(3, liveVersion("softmax"));
        given().queryParam("model", "softmax").header("Authorization", "Bearer " + KafkaItProfile.ADMIN_TOKEN)
                .get("/api/v1/model/versions").then().statusCode(200).body("highestSeen", equalTo(3));
        HttpResponse<String> r = classify("", "application/octet-stream", testImage(5));
        assertEquals(200, r.statusCode());
        assertEquals(SOFTMAX, JSON.readTree(r.body()).get("model").asText());
        assertEquals(3, JSON.readTree(r.body()).get("modelVersion").asLong());
        assertEquals(1, liveVersion("cnn"));
    }

    @Test
    @Order(4)
    void aModelNotServedIs404NamingTheServedOnesOnEveryRoute() {
        String served = "[" + SOFTMAX + ", " + CNN + "]";
        given().contentType("application/octet-stream").body(testImage(0)).queryParam("model", "mlp")
                .post("/api/v1/classify").then().statusCode(404).body("error", containsString("unknown model 'mlp'"))
                .body("error", containsString(served));
        given().contentType("image/png").body(ImageConverter.encodePng(testImage(0))).queryParam("model", "lenet")
                .post("/api/v1/classify").then().statusCode(404).body("error", containsString(served));
        given().contentType("application/json").body(jsonPixels(testImage(0))).queryParam("model", "fmnist-mlp")
                .post("/api/v1/classify").then().statusCode(404).body("error", containsString(served));
        given().queryParam("model", "mlp").get("/api/v1/model").then().statusCode(404)
                .body("error", containsString(served));
        given().queryParam("model", "mlp").get("/api/v1/model/export").then().statusCode(404);
        given().get("/v2/models/fmnist-mlp").then().statusCode(404).body("error", containsString(served));
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"raw\",model=\"unknown\",outcome=\"unknown_model\"}") >= 1);
    }

    @Test
    @Order(5)
    void oipExportAndPinsArePerModel() throws Exception {
        given().get("/v2/models/" + CNN).then().statusCode(200).body("name", equalTo(CNN))
                .body("inputs[0].shape", equalTo(List.of(-1, 1, 28, 28)))
                .body("outputs[0].shape", equalTo(List.of(-1, 10)));
        given().get("/v2/models/softmax").then().statusCode(200).body("name", equalTo(SOFTMAX))
                .body("inputs[0].shape", equalTo(List.of(-1, 784)));
        StringBuilder infer = new StringBuilder("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 1, 28, 28],"
                + " \"datatype\": \"UINT8\", \"data\": [");
        byte[] image = testImage(7);
        for (int i = 0; i < image.length; i++) {
            infer.append(i == 0 ? "" : ",").append(image[i] & 0xFF);
        }
        JsonNode oip = JSON.readTree(given().contentType("application/json").body(infer.append("]}]}").toString())
                .post("/v2/models/cnn/infer").then().statusCode(200).extract().asString());
        assertEquals(CNN, oip.get("model_name").asText());
        float[] expected = Forward.of(cnnNetwork).probabilities(image, 0);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], oip.get("outputs").get(0).get("data").get(i).floatValue(), 1e-6f);
        }
        given().queryParam("model", "cnn").get("/api/v1/model/export").then().statusCode(200)
                .header("Content-Disposition", containsString(CNN + "-v1.npz")).header("X-Model-Version", "1");

        String admin = "Bearer " + KafkaItProfile.ADMIN_TOKEN;
        given().queryParam("model", "softmax").header("Authorization", admin).contentType("application/json")
                .body("{\"version\": 2}").post("/api/v1/model/pin").then().statusCode(200)
                .body("live", equalTo(2)).body("pinned", equalTo(2));
        assertEquals(2, liveVersion("softmax"));
        assertEquals(1, liveVersion("cnn"), "a pin of softmax leaves the cnn alone");
        given().queryParam("model", "cnn").header("Authorization", admin).post("/api/v1/model/rollback").then()
                .statusCode(409).body("error", containsString(CNN));
        given().queryParam("model", "softmax").header("Authorization", admin).delete("/api/v1/model/pin").then()
                .statusCode(200).body("live", equalTo(3)).body("pinned", equalTo(null));
        given().queryParam("model", "cnn").get("/api/v1/model/accuracy").then().statusCode(200);
    }

    /** A request on fmnist.requests that names no model is scored by the default one, and its prediction says so. */
    @Test
    @Order(6)
    void aKafkaRequestIsScoredByTheDefaultModel() throws Exception {
        byte[] image = testImage(11);
        int[] pixels = new int[image.length];
        for (int i = 0; i < image.length; i++) {
            pixels[i] = image[i] & 0xFF;
        }
        send(kafka, new ProducerRecord<>(Topics.REQUESTS, "multi-1".getBytes(StandardCharsets.UTF_8),
                ClassificationCodec.encodeRequest(new ClassificationRequest("multi-1", pixels, null, false, null))));
        var record = firstMatch(kafka, Topics.PREDICTIONS,
                r -> "multi-1".equals(new String(r.key(), StandardCharsets.UTF_8)), TIMEOUT);
        Prediction p = ClassificationCodec.decodePrediction(record.value());
        HttpResponse<String> rest = classify("?model=softmax", "application/octet-stream", image);
        assertEquals(3, p.modelVersion());
        assertEquals(SOFTMAX, p.model());
        assertArrayEquals(probabilities(JSON.readTree(rest.body())), p.probabilities(), 1e-6f,
                "scored by softmax v3, the default model");
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"kafka\",model=\"" + SOFTMAX
                + "\",outcome=\"ok\"}") >= 1);
    }

    private static double metric(String series) {
        double sum = 0;
        boolean found = false;
        for (String line : given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(series + " ") || line.startsWith(series + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("no series " + series + " in /q/metrics");
        }
        return sum;
    }
}
