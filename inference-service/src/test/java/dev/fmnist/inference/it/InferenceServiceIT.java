package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
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
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestJwt;
import dev.fmnist.inference.support.TestSigning;
import dev.fmnist.support.testing.JsonErrorChecks;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The service against a real broker, in the order a deployment lives through: no model, first
 * snapshot, a swap under load, a corrupt snapshot, then the request paths, bad input, admin and
 * metrics. One Quarkus start for all of it.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(KafkaItProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InferenceServiceIT {
    private static final String MODEL = "fmnist-softmax";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FashionMnistData data;
    private static SoftmaxFit.Fit trained;
    private static SoftmaxFit.Fit untrained;
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    @TestHTTPResource("/api/v1/classify")
    URI classifyUri;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void models() {
        data = SoftmaxFit.data();
        trained = SoftmaxFit.fit(data, 60_000, 2, 1);
        untrained = SoftmaxFit.random(3, 0.05);
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

    private static int liveVersion() {
        Response r = given().get("/api/v1/model");
        return r.statusCode() == 200 ? r.jsonPath().getInt("version") : -1;
    }

    private Response raw(byte[] pixels) {
        return given().contentType("application/octet-stream").body(pixels).post("/api/v1/classify");
    }

    private HttpResponse<String> rawHttp(byte[] pixels) throws Exception {
        return http.send(HttpRequest.newBuilder(classifyUri).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(pixels)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(String series) {
        String body = given().get("/q/metrics").asString();
        double sum = 0;
        boolean found = false;
        for (String line : body.split("\n")) {
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

    @Test
    @Order(1)
    void beforeAnySnapshotNotReadyAnd503AndKafkaRequestsWait() {
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'model' }.data.reason", containsString(MODEL));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        raw(testImage(0)).then().statusCode(503).header("Retry-After", notNullValue())
                .body("error", containsString("no model loaded"));
        given().get("/api/v1/model").then().statusCode(503).body("error", notNullValue());
        // Arrives before any model: must wait, not be lost (checked once v1 is live).
        int[] pixels = new int[FashionMnist.PIXELS];
        byte[] img = testImage(0);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = img[i] & 0xFF;
        }
        send(kafka, new ProducerRecord<>(Topics.REQUESTS, "early-1".getBytes(StandardCharsets.UTF_8),
                ClassificationCodec.encodeRequest(new ClassificationRequest("early-1", pixels, null, false, null))));
    }

    @Test
    @Order(2)
    void firstSnapshotGoesLiveAndTheEarlyKafkaRequestIsAnswered() throws Exception {
        publish(SoftmaxFit.snapshot(MODEL, 1, untrained, Instant.now()));
        await("version 1 live", () -> liveVersion() == 1);
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        raw(testImage(0)).then().statusCode(200).body("modelVersion", equalTo(1)).body("epoch", equalTo(0))
                .body("probabilities", hasSize(10));
        var record = firstMatch(kafka, Topics.PREDICTIONS,
                r -> "early-1".equals(new String(r.key(), StandardCharsets.UTF_8)), TIMEOUT);
        Prediction p = ClassificationCodec.decodePrediction(record.value());
        assertEquals("early-1", p.id());
        assertEquals(1, p.modelVersion());
        assertEquals(FashionMnist.label(p.classIndex()), p.label());
    }

    @Test
    @Order(3)
    void swapUnderConcurrentLoadFailsNoRequestAndIsAtomic() throws Exception {
        record Answer(long start, long end, int status, long version) {
        }
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger afterV2 = new AtomicInteger();
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            workers.add(pool.submit(() -> {
                int k = seed;
                while (!stop.get()) {
                    long start = System.nanoTime();
                    HttpResponse<String> r = rawHttp(testImage(k++ % 1000));
                    long version = r.statusCode() == 200 ? JSON.readTree(r.body()).get("modelVersion").asLong() : -1;
                    answers.add(new Answer(start, System.nanoTime(), r.statusCode(), version));
                    if (version == 2) {
                        afterV2.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        await("load running", () -> answers.size() > 200);
        publish(SoftmaxFit.snapshot(MODEL, 2, trained, Instant.now()));
        await("500 answers from version 2", () -> afterV2.get() >= 500);
        stop.set(true);
        for (Future<?> w : workers) {
            w.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<Answer> all = new ArrayList<>(answers);
        assertTrue(all.stream().allMatch(a -> a.status() == 200), "every request answered 200");
        assertEquals(Set.of(1L, 2L), new HashSet<>(all.stream().map(Answer::version).toList()));
        long firstV2End = all.stream().filter(a -> a.version() == 2).mapToLong(Answer::end).min().orElseThrow();
        long v1AfterSwap = all.stream().filter(a -> a.start() > firstV2End && a.version() == 1).count();
        assertEquals(0, v1AfterSwap, "requests started after v2 was seen must all be scored by v2");
        assertTrue(all.stream().filter(a -> a.version() == 1).count() > 0);
    }

    @Test
    @Order(4)
    void corruptSnapshotIsRejectedDeadLetteredAndV2KeepsServing() throws Exception {
        double rejectedBefore = metric("fmnist_inference_snapshots_rejected_total");
        WeightSnapshot v3 = SoftmaxFit.snapshot(MODEL, 3, untrained, Instant.now());
        byte[] bytes = TestSigning.signed(v3);
        bytes[bytes.length / 2] ^= 0x5A; // a flipped weight byte: the CRC32C no longer matches
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(v3), bytes));

        var dead = firstMatch(kafka, Topics.DEAD_LETTER,
                r -> Topics.SNAPSHOTS.equals(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC))
                        && Arrays.equals(bytes, r.value()), TIMEOUT);
        assertTrue(DeadLetters.header(dead.headers(), DeadLetters.REASON).contains("checksum"),
                DeadLetters.header(dead.headers(), DeadLetters.REASON));
        assertEquals("inference-service", DeadLetters.header(dead.headers(), DeadLetters.SERVICE));
        assertTrue(Arrays.equals(bytes, dead.value()), "dead letter carries the record unchanged");
        await("rejected counter", () -> metric("fmnist_inference_snapshots_rejected_total") >= rejectedBefore + 1);
        assertEquals(2, liveVersion());
        raw(testImage(1)).then().statusCode(200).body("modelVersion", equalTo(2));
    }

    @Test
    @Order(4)
    void forgedUnsignedForeignSignedAndAbsurdVersionSnapshotsAreRejectedAndV2KeepsServing() throws Exception {
        double rejectedBefore = metric("fmnist_inference_snapshots_rejected_total");
        WeightSnapshot forged = SoftmaxFit.snapshot(MODEL, 3, untrained, Instant.now());
        WeightSnapshot absurd = SoftmaxFit.snapshot(MODEL, 2 + (1L << 50), untrained, Instant.now());
        List<byte[]> records = List.of(
                WeightSnapshotCodec.encode(forged), // well-formed, right CRC, no signature
                WeightSnapshotCodec.encode(forged, TestSigning.OTHER), // signed with a key the service does not hold
                TestSigning.signed(absurd)); // signed, but 2^50 versions above the live v2
        List<String> expected = List.of("signature", "signature", "max-version-step");
        for (int i = 0; i < records.size(); i++) {
            byte[] value = records.get(i);
            byte[] key = i < 2 ? TestSigning.key(forged) : TestSigning.key(absurd);
            send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, key, value));
            var dead = firstMatch(kafka, Topics.DEAD_LETTER, r -> Arrays.equals(value, r.value()), TIMEOUT);
            String reason = DeadLetters.header(dead.headers(), DeadLetters.REASON);
            assertTrue(reason.contains(expected.get(i)), reason);
        }
        await("rejected counter", () -> metric("fmnist_inference_snapshots_rejected_total") >= rejectedBefore + 3);
        assertEquals(2, liveVersion());
        given().header("Authorization", "Bearer " + KafkaItProfile.ADMIN_TOKEN).get("/api/v1/model/versions")
                .then().statusCode(200).body("versions.version", equalTo(List.of(2, 1)));
        raw(testImage(1)).then().statusCode(200).body("modelVersion", equalTo(2));
    }

    @Test
    @Order(5)
    void pngOfATestImageScoresLikeItsRawBytesAndJpegWorks() throws Exception {
        for (int k = 0; k < 20; k++) {
            byte[] px = testImage(k);
            JsonNode rawAnswer = JSON.readTree(raw(px).then().statusCode(200).extract().asString());
            JsonNode pngAnswer = JSON.readTree(given().contentType("image/png").body(ImageConverter.encodePng(px))
                    .post("/api/v1/classify").then().statusCode(200).extract().asString());
            assertEquals(rawAnswer, pngAnswer, "image " + k);
        }
        // A 280x280 dark-on-light JPEG of test image 0, inverted back: same class as the raw bytes.
        byte[] px = testImage(0);
        BufferedImage big = new BufferedImage(280, 280, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 280; y++) {
            for (int x = 0; x < 280; x++) {
                int v = 255 - (px[(y / 10) * 28 + x / 10] & 0xFF);
                big.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(big, "jpeg", jpeg);
        int expected = raw(px).jsonPath().getInt("classIndex");
        given().contentType("image/jpeg").queryParam("invert", "true").body(jpeg.toByteArray()).post("/api/v1/classify")
                .then().statusCode(200).body("classIndex", equalTo(expected)).body("modelVersion", equalTo(2));
    }

    @Test
    @Order(6)
    void kafkaRoundTripAndUnparseableRequestDeadLettered() {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        send(kafka, new ProducerRecord<>(Topics.REQUESTS, "bad-1".getBytes(StandardCharsets.UTF_8), garbage));
        byte[] png = ImageConverter.encodePng(testImage(5));
        send(kafka, new ProducerRecord<>(Topics.REQUESTS, "good-1".getBytes(StandardCharsets.UTF_8),
                ClassificationCodec.encodeRequest(new ClassificationRequest("good-1", null, png, false, data.test().label(5)))));

        var dead = firstMatch(kafka, Topics.DEAD_LETTER,
                r -> Topics.REQUESTS.equals(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC)), TIMEOUT);
        assertEquals("bad-1", new String(dead.key(), StandardCharsets.UTF_8));
        assertTrue(DeadLetters.header(dead.headers(), DeadLetters.REASON).contains("not valid JSON"));
        assertTrue(Arrays.equals(garbage, dead.value()));

        var answer = firstMatch(kafka, Topics.PREDICTIONS,
                r -> "good-1".equals(new String(r.key(), StandardCharsets.UTF_8)), TIMEOUT);
        Prediction p = ClassificationCodec.decodePrediction(answer.value());
        assertEquals(2, p.modelVersion());
        int expected = raw(testImage(5)).jsonPath().getInt("classIndex");
        assertEquals(expected, p.classIndex());
        assertEquals(10, p.probabilities().length);
    }

    @Test
    @Order(7)
    void serviceAccuracyOnAllTestImagesEqualsTheSnapshotsTestAccuracy() throws Exception {
        int n = data.test().count();
        double labelledBefore = metric("fmnist_inference_accuracy_labelled_total{model=\"fmnist-softmax\",model_version=\"2\"}");
        double correctBefore = metric("fmnist_inference_accuracy_correct_total{model=\"fmnist-softmax\",model_version=\"2\"}");
        double reported = given().get("/api/v1/model").jsonPath().getDouble("testAccuracy");
        assertEquals(trained.testAccuracy(), reported, 0.0);
        assertTrue(reported > 0.7, "the fitted model is meaningful: " + reported);

        // JSON batches, with labels: also feeds the online accuracy of version 2.
        int correctBatch = 0;
        for (int start = 0; start < n; start += 1000) {
            StringBuilder body = new StringBuilder("{\"images\":[");
            StringBuilder labels = new StringBuilder("],\"labels\":[");
            for (int k = start; k < start + 1000; k++) {
                byte[] px = testImage(k);
                body.append(k == start ? "[" : ",[");
                for (int i = 0; i < px.length; i++) {
                    body.append(i == 0 ? "" : ",").append(px[i] & 0xFF);
                }
                body.append(']');
                labels.append(k == start ? "" : ",").append(data.test().label(k));
            }
            JsonNode answer = JSON.readTree(given().contentType("application/json").body(body.append(labels).append("]}").toString())
                    .post("/api/v1/classify").then().statusCode(200).extract().asString());
            JsonNode predictions = answer.get("predictions");
            assertEquals(1000, predictions.size());
            for (int k = 0; k < 1000; k++) {
                assertEquals(2, predictions.get(k).get("modelVersion").asInt());
                if (predictions.get(k).get("classIndex").asInt() == data.test().label(start + k)) {
                    correctBatch++;
                }
            }
        }
        assertEquals(reported, correctBatch / (double) n, 0.0, "JSON batch accuracy");

        // Raw bytes (plain-Java path), four clients.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> parts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int from = t * n / 4;
            int to = (t + 1) * n / 4;
            parts.add(pool.submit(() -> {
                int correct = 0;
                for (int k = from; k < to; k++) {
                    HttpResponse<String> r = rawHttp(testImage(k));
                    assertEquals(200, r.statusCode());
                    if (JSON.readTree(r.body()).get("classIndex").asInt() == data.test().label(k)) {
                        correct++;
                    }
                }
                return correct;
            }));
        }
        int correctRaw = 0;
        for (Future<Integer> f : parts) {
            correctRaw += f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(reported, correctRaw / (double) n, 0.0, "raw bytes accuracy");

        double labelled = metric("fmnist_inference_accuracy_labelled_total{model=\"fmnist-softmax\",model_version=\"2\"}") - labelledBefore;
        double correct = metric("fmnist_inference_accuracy_correct_total{model=\"fmnist-softmax\",model_version=\"2\"}") - correctBefore;
        assertEquals(n, labelled, 0.0);
        assertEquals(correctBatch, correct, 0.0);
        assertEquals((correctBefore + correct) / (labelledBefore + labelled), metric("fmnist_inference_accuracy_online"), 1e-9);
        // the same figures as typed JSON (what the console reads)
        var accuracy = given().get("/api/v1/model/accuracy").then().statusCode(200).extract().jsonPath()
                .using(io.restassured.path.json.config.JsonPathConfig.jsonPathConfig()
                        .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));
        assertEquals(metric("fmnist_inference_accuracy_online"), accuracy.getDouble("accuracy"), 1e-9);
        assertEquals(labelledBefore + labelled, accuracy.getDouble("versions.find { it.version == 2 }.labelled"), 0.0);
        assertEquals(correctBefore + correct, accuracy.getDouble("versions.find { it.version == 2 }.correct"), 0.0);
    }

    @Test
    @Order(8)
    void badInputGetsAClear4xxNever500() throws Exception {
        byte[] px = testImage(0);
        given().contentType("application/json").body("{\"pixels\": [1, 2,").post("/api/v1/classify")
                .then().statusCode(400).body("error", containsString("malformed JSON"));
        given().contentType("application/json").body("[1,2,3]").post("/api/v1/classify")
                .then().statusCode(400).body("error", containsString("JSON object"));
        given().contentType("application/json").body("{\"pixels\": [1, 2, 3]}").post("/api/v1/classify")
                .then().statusCode(400).body("error", containsString("784"));
        int[] outOfRange = new int[784];
        outOfRange[17] = 256;
        given().contentType("application/json").body("{\"pixels\": " + Arrays.toString(outOfRange) + "}")
                .post("/api/v1/classify").then().statusCode(400).body("error", containsString("[17]"));
        given().contentType("application/json").body("{\"images\": []}").post("/api/v1/classify")
                .then().statusCode(400).body("error", containsString("images"));
        given().contentType("application/json").body("{\"pixels\": " + Arrays.toString(new int[784]) + ", \"lable\": 3}")
                .post("/api/v1/classify").then().statusCode(400).body("error", containsString("unknown field 'lable'"));
        raw(Arrays.copyOf(px, 783)).then().statusCode(400).body("error", containsString("exactly 784"));
        raw(new byte[0]).then().statusCode(400).body("error", containsString("784"));
        given().contentType("text/plain").body("hello").post("/api/v1/classify")
                .then().statusCode(415).body("error", containsString("unsupported content type"));
        given().contentType("image/png").body("definitely not a png".getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/classify").then().statusCode(400).body("error", notNullValue());
        byte[] truncatedPng = Arrays.copyOf(ImageConverter.encodePng(px), 60);
        given().contentType("image/png").body(truncatedPng).post("/api/v1/classify")
                .then().statusCode(400).body("error", notNullValue());
        given().contentType("application/octet-stream").body(new byte[(int) KafkaItProfile.MAX_BODY + 1])
                .post("/api/v1/classify").then().statusCode(413).body("error", containsString("exceeds"));
        BufferedImage huge = new BufferedImage(1100, 1000, BufferedImage.TYPE_BYTE_GRAY); // 5.5 MB decoded > the 5 MB limit
        ByteArrayOutputStream hugePng = new ByteArrayOutputStream();
        ImageIO.write(huge, "png", hugePng);
        given().contentType("image/png").body(hugePng.toByteArray()).post("/api/v1/classify")
                .then().statusCode(413).body("error", containsString("1100x1000"));
        StringBuilder tooMany = new StringBuilder("{\"images\":[");
        String one = Arrays.toString(new int[784]);
        for (int i = 0; i < 1001; i++) {
            tooMany.append(i == 0 ? "" : ",").append(one);
        }
        given().contentType("application/json").body(tooMany.append("]}").toString()).post("/api/v1/classify")
                .then().statusCode(413).body("error", containsString("limit of 1000"));
        given().contentType("application/octet-stream").queryParam("label", "12").body(px).post("/api/v1/classify")
                .then().statusCode(400).body("error", containsString("label"));
        given().contentType("image/png").queryParam("invert", "maybe").body(ImageConverter.encodePng(px))
                .post("/api/v1/classify").then().statusCode(400).body("error", containsString("invert"));
        given().get("/api/v1/classify").then().statusCode(405).body("error", notNullValue());
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"other\",model=\"fmnist-softmax\",outcome=\"unsupported_media_type\"}") >= 1);
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"raw\",model=\"fmnist-softmax\",outcome=\"too_large\"}") >= 1);
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"png\",model=\"fmnist-softmax\",outcome=\"too_large\"}") >= 1);
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"png\",model=\"fmnist-softmax\",outcome=\"bad_request\"}") >= 2);
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"json-batch\",model=\"fmnist-softmax\",outcome=\"too_large\"}") >= 1);
        assertEquals(0, metric("fmnist_inference_requests_total{content_type=\"raw\",model=\"fmnist-softmax\",outcome=\"error\"}"), 0.0);
    }

    @Test
    @Order(9)
    void labelsFromQueryHeaderAndJsonCount() {
        double before = metric("fmnist_inference_accuracy_labelled_total{model=\"fmnist-softmax\",model_version=\"2\"}");
        byte[] px = testImage(3);
        given().contentType("application/octet-stream").queryParam("label", "3").body(px).post("/api/v1/classify")
                .then().statusCode(200);
        given().contentType("application/octet-stream").header("X-True-Label", "Ankle boot").body(px)
                .post("/api/v1/classify").then().statusCode(200);
        int[] ints = new int[784];
        for (int i = 0; i < 784; i++) {
            ints[i] = px[i] & 0xFF;
        }
        given().contentType("application/json").body("{\"pixels\": " + Arrays.toString(ints) + ", \"label\": 1}")
                .post("/api/v1/classify").then().statusCode(200).body("label", equalTo(
                        FashionMnist.label(raw(px).jsonPath().getInt("classIndex"))));
        assertEquals(before + 3, metric("fmnist_inference_accuracy_labelled_total{model=\"fmnist-softmax\",model_version=\"2\"}"), 0.0);
    }

    @Test
    @Order(10)
    void adminEndpointsNeedTheTokenAndPinAndRollBack() {
        String auth = "Bearer " + KafkaItProfile.ADMIN_TOKEN;
        given().get("/api/v1/model/versions").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error", notNullValue());
        given().header("Authorization", "Bearer wrong").post("/api/v1/model/rollback").then().statusCode(401);
        // a well-signed JWT opens nothing where no fmnist.auth.jwt.public-key is configured
        given().header("Authorization", "Bearer " + TestJwt.token("[\"admin\"]", null)).post("/api/v1/model/rollback")
                .then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType("application/json").body("{\"version\": 1}")
                .post("/api/v1/model/pin").then().statusCode(401);
        assertEquals(2, liveVersion());

        given().header("Authorization", auth).get("/api/v1/model/versions").then().statusCode(200)
                .body("live", equalTo(2)).body("versions.version", equalTo(List.of(2, 1)));
        given().header("Authorization", auth).contentType("application/json").body("{\"version\": 1}")
                .post("/api/v1/model/pin").then().statusCode(200).body("live", equalTo(1)).body("pinned", equalTo(1));
        raw(testImage(0)).then().statusCode(200).body("modelVersion", equalTo(1));
        given().header("Authorization", auth).contentType("application/json").body("{\"version\": 99}")
                .post("/api/v1/model/pin").then().statusCode(409).body("error", containsString("not retained"));
        given().header("Authorization", auth).contentType("application/json").body("{\"version\": ")
                .post("/api/v1/model/pin").then().statusCode(400).body("error", notNullValue());
        given().header("Authorization", auth).delete("/api/v1/model/pin").then().statusCode(200)
                .body("live", equalTo(2)).body("pinned", equalTo(null));
        raw(testImage(0)).then().statusCode(200).body("modelVersion", equalTo(2));
        given().header("Authorization", auth).post("/api/v1/model/rollback").then().statusCode(200)
                .body("live", equalTo(1)).body("pinned", equalTo(1));
        given().header("Authorization", auth).post("/api/v1/model/rollback").then().statusCode(409);
        given().header("Authorization", auth).delete("/api/v1/model/pin").then().statusCode(200).body("live", equalTo(2));
    }

    @Test
    @Order(11)
    void modelDescriptionAndMetrics() {
        given().get("/api/v1/model").then().statusCode(200)
                .body("modelName", equalTo(MODEL)).body("version", equalTo(2)).body("epoch", equalTo(2))
                .body("step", equalTo(200)).body("trainLoss", notNullValue()).body("trainAccuracy", notNullValue())
                .body("testAccuracy", notNullValue()).body("createdAt", notNullValue())
                .body("hyperparameters.learningRate", equalTo(0.1f)).body("hyperparameters.batchSize", equalTo(256))
                .body("lineage[0].topic", equalTo("fmnist.train")).body("lineage[0].offset", equalTo(120000));
        assertEquals(2, metric("fmnist_inference_model_version"), 0.0);
        assertTrue(metric("fmnist_inference_model_age_seconds") >= 0);
        assertTrue(metric("fmnist_inference_model_swaps_total") >= 6, "v1, v2, pin, unpin, rollback, unpin");
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"raw\",model=\"fmnist-softmax\",outcome=\"ok\"}") > 10_000);
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"raw\",model=\"fmnist-softmax\",outcome=\"model_unavailable\"}") >= 1);
        assertTrue(metric("fmnist_inference_requests_total{content_type=\"kafka\",model=\"fmnist-softmax\",outcome=\"ok\"}") >= 2);
        assertTrue(metric("fmnist_inference_latency_seconds_count{content_type=\"raw\",model=\"fmnist-softmax\"}") > 10_000);
        String text = given().get("/q/metrics").asString();
        assertTrue(text.contains("fmnist_inference_latency_seconds{content_type=\"raw\",model=\"fmnist-softmax\",quantile=\"0.99\"}"));
        assertTrue(text.contains("fmnist_inference_latency_seconds_bucket{content_type=\"raw\""));
        assertTrue(metric("fmnist_inference_dead_letters_total{source=\"fmnist.snapshots\"}") >= 1);
        assertTrue(metric("fmnist_inference_dead_letters_total{source=\"fmnist.requests\"}") >= 1);
        assertTrue(metric("fmnist_inference_snapshots_total{model=\"fmnist-softmax\",outcome=\"swapped\"}") >= 2);
    }

    /** Never an HTML page: an unknown path (in JAX-RS or outside it) and a wrong method answer the JSON error body. */
    @Test
    void unknownPathsAndWrongMethodsAnswerTheJsonErrorBody() {
        JsonErrorChecks.unknownPathsAndWrongMethodAnswerJson("DELETE", "/api/v1/classify");
    }

    /** A 1 MiB bearer token is a 431 the client reads, not a dropped connection. */
    @Test
    void oversizedHeadersAre431() throws Exception {
        JsonErrorChecks.oversizedHeadersAnswer431("/api/v1/model/versions");
    }
}
