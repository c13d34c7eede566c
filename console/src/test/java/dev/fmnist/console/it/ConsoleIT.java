package dev.fmnist.console.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.console.live.EventHub;
import dev.fmnist.console.live.QualityService;
import dev.fmnist.console.quality.Disagreement;
import dev.fmnist.console.quality.ModelQuality;
import dev.fmnist.console.quality.QualityEvaluator;
import dev.fmnist.console.quality.TestSet;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.contracts.model.TensorShape;
import dev.fmnist.support.testing.JsonErrorChecks;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The console backend on a real broker: records published with the contracts' codecs reach the
 * panels (curves, data counts, uploads, dead letters, quality of the served version); the HTTP
 * side serves the page, and its proxies answer JSON errors when the services are away (this test
 * runs none: their URLs point at a closed port).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(ConsoleIT.NoServices.class)
class ConsoleIT {
    /** The trainer's key whose public half is %test.fmnist.snapshots.public-keys. */
    static final SnapshotSigning SIGNING = SnapshotSigning.signer("Y29uc29sZS10ZXN0LXNuYXBzaG90LWtleS0wMTIzNDU=", null);
    private static final int TEST_IMAGES = 300;
    private static final int BATCH = 128;

    /** Every service URL points at a port nobody listens on. */
    public static class NoServices implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fmnist.console.inference-url", "http://127.0.0.1:1",
                    "fmnist.console.trainer-url", "http://127.0.0.1:1",
                    "fmnist.console.ingest-url", "http://127.0.0.1:1",
                    "fmnist.console.poll-timeout", "PT0.5S",
                    "fmnist.console.kafka-retry-backoff", "PT0.2S",
                    "fmnist.console.models", "softmax,fmnist-cnn");
        }
    }

    @Inject
    EventHub hub;
    @Inject
    QualityService quality;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void topicsReachThePanelsAndTheServedVersionIsScored() throws Exception {
        Random random = new Random(7);
        byte[] labels = new byte[TEST_IMAGES];
        byte[] pixels = new byte[TEST_IMAGES * FashionMnist.PIXELS];
        for (int i = 0; i < TEST_IMAGES; i++) {
            labels[i] = (byte) (i % FashionMnist.CLASSES);
            for (int p = 0; p < FashionMnist.PIXELS; p++) {
                pixels[i * FashionMnist.PIXELS + p] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 0);
            }
        }
        WeightSnapshot v1 = snapshot(1, 1, random, 0.80, 0.75, 0.74);
        WeightSnapshot v2 = snapshot(2, 2, random, 0.60, 0.80, 0.79);
        WeightSnapshot cnn = cnnSnapshot(1, random);
        int batches = (TEST_IMAGES + BATCH - 1) / BATCH;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            // out of order and one twice: the console assembles by sequence and counts a batch id once
            for (int b : new int[] {2, 0, 1, 0}) {
                int from = b * BATCH;
                int n = Math.min(BATCH, TEST_IMAGES - from);
                byte[] l = java.util.Arrays.copyOfRange(labels, from, from + n);
                byte[] px = java.util.Arrays.copyOfRange(pixels, from * FashionMnist.PIXELS, (from + n) * FashionMnist.PIXELS);
                ImageBatch batch = new ImageBatch("toy-test", "test-" + b, Split.TEST, b, batches, 28, 28, l, px);
                producer.send(new ProducerRecord<>(Topics.TEST, key(batch.batchId()), ImageBatchCodec.encode(batch))).get();
            }
            ImageBatch train = new ImageBatch("toy", "train-0", Split.TRAIN, 0, 1, 28, 28, new byte[] {1, 1, 2},
                    new byte[3 * FashionMnist.PIXELS]);
            producer.send(new ProducerRecord<>(Topics.TRAIN, key("train-0"), ImageBatchCodec.encode(train))).get();
            byte[] upload = new byte[FashionMnist.PIXELS];
            upload[400] = (byte) 200;
            ImageBatch user = new ImageBatch("user", "user-1", Split.USER, 0, 0, 28, 28, new byte[] {7}, upload);
            producer.send(new ProducerRecord<>(Topics.TRAIN, key("user-1"), ImageBatchCodec.encode(user))).get();
            producer.send(new ProducerRecord<>(Topics.TRAIN, key("junk"), "not a batch".getBytes(StandardCharsets.UTF_8))).get();
            for (WeightSnapshot s : List.of(v1, v2, cnn)) {
                producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, key(s.modelName()), WeightSnapshotCodec.encode(s, SIGNING))).get();
            }
            for (int i = 0; i < 3; i++) {
                producer.send(DeadLetters.of("inference-service", Topics.REQUESTS, 0, i, key("r" + i), new byte[1],
                        "classification request: not JSON")).get();
            }
        }

        JsonNode curves = await("curves.fmnist-softmax", c -> c.path("points").size() == 2);
        assertEquals(0.74, curves.at("/points/0/testAccuracy").asDouble(), 1e-12);
        assertEquals(2, curves.at("/points/1/modelVersion").asLong());

        // the junk record comes after the upload: wait for it too (the view is published after every record)
        JsonNode data = await("data", d -> d.path("testSetComplete").asBoolean() && d.at("/splits/user/images").asLong() == 1
                && d.path("undecodable").asLong() >= 1);
        assertEquals(TEST_IMAGES, data.at("/splits/test/images").asLong(), "the repeated batch is counted once");
        assertEquals(TEST_IMAGES / 10, data.at("/splits/test/perClass/3").asLong());
        assertEquals(3, data.at("/splits/train/images").asLong());
        assertEquals(2, data.at("/splits/train/perClass/1").asLong());
        assertEquals(1, data.path("undecodable").asLong());
        byte[] thumb = java.util.Base64.getDecoder().decode(data.at("/uploads/0/png").asText());
        assertEquals(200, ImageConverter.toFashionMnist(thumb, false)[400] & 0xFF, "the upload's thumbnail is its image");
        assertEquals("Sneaker", data.at("/uploads/0/labelName").asText());

        JsonNode dlq = await("deadLetters", d -> d.path("total").asLong() == 3);
        assertEquals("classification request: not JSON", dlq.at("/groups/0/reason").asText());
        assertEquals(3, dlq.at("/groups/0/count").asLong());

        // the status poller would report the version inference serves; here the test says it
        quality.served(1);
        JsonNode q = await("quality.fmnist-softmax", n -> n.at("/quality/modelVersion").asLong() == 1);
        ModelQuality expected = QualityEvaluator.evaluate(v1, new TestSet("toy-test", TEST_IMAGES, labels, pixels), 24);
        assertEquals(TEST_IMAGES, sum(q.at("/quality/confusion")));
        assertEquals(expected.correct(), q.at("/quality/correct").asInt());
        assertEquals(expected.confusion()[4][7], q.at("/quality/confusion/4/7").asInt());
        assertEquals(0.74, q.path("snapshotTestAccuracy").asDouble(), 1e-12);
        assertEquals(Math.min(24, expected.misclassified()), q.at("/quality/mistakes").size());

        quality.served(2);
        await("quality.fmnist-softmax", n -> n.at("/quality/modelVersion").asLong() == 2);

        // a second model: its own curve and quality, then the comparison of the two served versions
        JsonNode cnnCurve = await("curves.fmnist-cnn", c -> c.path("points").size() == 1);
        assertEquals(0.71, cnnCurve.at("/points/0/testAccuracy").asDouble(), 1e-12);
        assertEquals("fmnist-cnn", cnnCurve.path("name").asText());
        TestSet test = new TestSet("toy-test", TEST_IMAGES, labels, pixels);
        quality.served(ModelFamily.CNN, 1);
        JsonNode cq = await("quality.fmnist-cnn", n -> n.at("/quality/modelVersion").asLong() == 1);
        QualityEvaluator.Scored cnnScored = QualityEvaluator.score(1, cnn.network(), test, 24);
        assertEquals(cnnScored.quality().correct(), cq.at("/quality/correct").asInt());
        assertEquals(TEST_IMAGES, sum(cq.at("/quality/confusion")));
        JsonNode comparison = await("comparison", c -> c.path("state").asText().equals("ready")
                && c.at("/disagreement/versions/0").asLong() == 2);
        Disagreement expectedDisagreement = Disagreement.of(List.of(
                new Disagreement.Model("fmnist-softmax", 2, QualityEvaluator.score(2, v2.network(), test, 0).predictions()),
                new Disagreement.Model("fmnist-cnn", 1, cnnScored.predictions())), test, 12);
        assertTrue(expectedDisagreement.disagree() > 0, "random models disagree somewhere");
        assertEquals(expectedDisagreement.disagree(), comparison.at("/disagreement/disagree").asInt());
        assertEquals(expectedDisagreement.pairs().get(0).onlyFirst(), comparison.at("/disagreement/pairs/0/onlyFirst").asInt());
        assertEquals(Math.min(12, expectedDisagreement.disagree()), comparison.at("/disagreement/examples").size());
        assertEquals("fmnist-softmax", comparison.at("/models/0/model").asText());
        assertEquals(cnnScored.quality().confusion()[3][5], comparison.at("/models/1/confusion/3/5").asInt());

        quality.served(3);
        JsonNode missing = await("quality.fmnist-softmax", n -> n.path("modelVersion").asLong() == 3);
        assertEquals("waiting", missing.path("state").asText());
        assertTrue(missing.path("reason").asText().contains("v3"), missing.toString());
        JsonNode waiting = await("comparison", c -> c.path("state").asText().equals("waiting"));
        assertTrue(waiting.path("reason").asText().contains("fmnist-softmax"), waiting.toString());

        JsonNode training = await("training", t -> t.has("reachable"));
        assertEquals(false, training.path("reachable").asBoolean(), "no trainer in this test");
    }

    @Test
    void servesThePageAndAnswersJsonErrors() {
        given().get("/").then().statusCode(200).contentType(startsWith("text/html")).body(containsString("fmnist console"));
        given().get("/console.js").then().statusCode(200).body(containsString("EventSource"));
        given().contentType("image/png").body("no png".getBytes(StandardCharsets.UTF_8)).post("/api/classify")
                .then().statusCode(400).body("error", containsString("PNG"));
        given().contentType("image/png").body(ImageConverter.encodePng(new byte[FashionMnist.PIXELS]))
                .post("/api/classify?label=12").then().statusCode(400).body("error", containsString("label"));
        given().contentType("image/png").body(ImageConverter.encodePng(new byte[FashionMnist.PIXELS]))
                .post("/api/classify").then().statusCode(503).body("error", containsString("inference does not answer"));
        given().contentType("application/json").body("{not json").post("/api/training")
                .then().statusCode(400).body("error", containsString("not JSON"));
        given().header("Authorization", "Bearer t").delete("/api/training")
                .then().statusCode(503).body("error", containsString("trainer does not answer"));
        given().header("Authorization", "Bearer t").get("/api/model/versions")
                .then().statusCode(503).body("error", containsString("inference"));
    }

    private JsonNode await(String event, Predicate<JsonNode> done) {
        return Awaitility.await(event).atMost(Duration.ofSeconds(60)).until(() -> {
            String current = hub.current(event);
            return current == null ? null : json.readTree(current);
        }, last -> last != null && done.test(last));
    }

    private static int sum(JsonNode matrix) {
        int total = 0;
        for (JsonNode row : matrix) {
            for (JsonNode cell : row) {
                total += cell.asInt();
            }
        }
        return total;
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    private static WeightSnapshot snapshot(long version, int epoch, Random random, double loss, double trainAcc, double testAcc) {
        float[] w = new float[FashionMnist.PIXELS * FashionMnist.CLASSES];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * 0.01);
        }
        return new WeightSnapshot("fmnist-softmax", version, epoch, epoch * 10L, w, new float[FashionMnist.CLASSES],
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), new WeightSnapshot.Metrics(loss, trainAcc, testAcc),
                List.of(new WeightSnapshot.SourceOffset(Topics.TRAIN, 0, 3)), Instant.ofEpochMilli(1_700_000_000_000L + version));
    }

    /** A convolutional snapshot with small random weights, every tensor of the cnn family's architecture. */
    private static WeightSnapshot cnnSnapshot(long version, Random random) {
        Map<String, float[]> tensors = new java.util.LinkedHashMap<>();
        for (TensorShape shape : ModelFamily.CNN.architecture().parameters()) {
            float[] t = new float[shape.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) (random.nextGaussian() * 0.1);
            }
            tensors.put(shape.name(), t);
        }
        return new WeightSnapshot("fmnist-cnn", version, 1, 10L, new Network(ModelFamily.CNN.architecture(), tensors),
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), new WeightSnapshot.Metrics(0.9, 0.7, 0.71),
                List.of(new WeightSnapshot.SourceOffset(Topics.TRAIN, 0, 3)), Instant.ofEpochMilli(1_700_000_000_000L + version),
                WeightSnapshot.Plan.NONE);
    }

    /** Never an HTML page: an unknown path (in JAX-RS or outside it) and a wrong method answer the JSON error body. */
    @Test
    void unknownPathsAndWrongMethodsAnswerTheJsonErrorBody() {
        JsonErrorChecks.unknownPathsAndWrongMethodAnswerJson("GET", "/api/classify");
    }
}
