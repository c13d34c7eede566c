package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestNetworks;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's "one record stops Kafka scoring for good", on the real broker: an oversized record
 * (2.5 MB, gzip-compressed so the broker takes it; too large to copy whole to the dead-letter topic)
 * and a malformed one are dead-lettered with their reasons, and requests on every partition are
 * answered within 30 s after them. With softmax (the default) and cnn served: a request naming the cnn is
 * answered by it, one naming no model by softmax, each prediction naming its model and version; a model not
 * served here, or no model at all, is dead-lettered with the reason.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(RequestPathItProfile.class)
class KafkaRequestPathIT {
    private static final String MODEL = "fmnist-softmax";
    private static final String CNN = "fmnist-cnn";
    private static final int OVERSIZE = 2_500_000;
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    private static String key(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private void sendGzip(ProducerRecord<byte[], byte[]> record) {
        kafka.produce(byte[].class, byte[].class).withProps(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024)).fromRecords(record)
                .awaitCompletion(Duration.ofSeconds(60));
    }

    private void publish(WeightSnapshot snapshot) {
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(snapshot), TestSigning.signed(snapshot)));
    }

    private void request(String id, byte[] value) {
        send(kafka, new ProducerRecord<>(Topics.REQUESTS, id.getBytes(StandardCharsets.UTF_8), value));
    }

    @Test
    void aRequestNamingAModelIsAnsweredByItAndAnUnknownModelIsDeadLettered() {
        publish(SoftmaxFit.snapshot(MODEL, 1, SoftmaxFit.random(1, 0.05), Instant.now()));
        Network cnn = TestNetworks.random(ModelFamily.CNN, 31);
        publish(TestNetworks.snapshot(CNN, 2, cnn, Instant.now()));
        int[] pixels = new int[784];
        byte[] image = new byte[784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i * 53) % 256;
            image[i] = (byte) pixels[i];
        }
        request("to-cnn", ClassificationCodec.encodeRequest(new ClassificationRequest("to-cnn", pixels, null, false, 3,
                "cnn")));
        request("to-default", ClassificationCodec.encodeRequest(new ClassificationRequest("to-default", pixels, null,
                false, null)));
        byte[] notServed = ("{\"id\": \"to-mlp\", \"model\": \"mlp\", \"pixels\": " + Arrays.toString(pixels) + "}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] noSuchModel = ("{\"id\": \"to-resnet\", \"model\": \"resnet\", \"pixels\": " + Arrays.toString(pixels)
                + "}").getBytes(StandardCharsets.UTF_8);
        request("to-mlp", notServed);
        request("to-resnet", noSuchModel);

        Prediction byCnn = ClassificationCodec.decodePrediction(firstMatch(kafka, Topics.PREDICTIONS,
                r -> "to-cnn".equals(key(r)), Duration.ofSeconds(60)).value());
        assertEquals(CNN, byCnn.model());
        assertEquals(2, byCnn.modelVersion());
        assertArrayEquals(Forward.of(cnn).probabilities(image, 0), byCnn.probabilities(), 1e-6f,
                "the cnn's forward pass answered");
        Prediction byDefault = ClassificationCodec.decodePrediction(firstMatch(kafka, Topics.PREDICTIONS,
                r -> "to-default".equals(key(r)), Duration.ofSeconds(60)).value());
        assertEquals(MODEL, byDefault.model());
        assertEquals(1, byDefault.modelVersion());

        var mlp = firstMatch(kafka, Topics.DEAD_LETTER, r -> "to-mlp".equals(key(r)), Duration.ofSeconds(30));
        String mlpReason = DeadLetters.header(mlp.headers(), DeadLetters.REASON);
        assertTrue(mlpReason.contains("request to-mlp: unknown model 'fmnist-mlp': not served here; served: ["
                + MODEL + ", " + CNN + "]"), mlpReason);
        assertArrayEquals(notServed, mlp.value());
        var resnet = firstMatch(kafka, Topics.DEAD_LETTER, r -> "to-resnet".equals(key(r)), Duration.ofSeconds(30));
        String resnetReason = DeadLetters.header(resnet.headers(), DeadLetters.REASON);
        assertTrue(resnetReason.contains("\"model\" 'resnet' is unknown")
                && resnetReason.contains("(softmax, mlp, cnn)"), resnetReason);

        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.contains("fmnist_inference_requests_total{content_type=\"kafka\",model=\"" + CNN
                + "\",outcome=\"ok\"}"), "counted under the cnn");
        assertTrue(metrics.contains("fmnist_inference_requests_total{content_type=\"kafka\",model=\"unknown\","
                + "outcome=\"unknown_model\"}"), "the model not served counted as unknown");
    }

    @Test
    void oversizedAndMalformedRecordsAreDeadLetteredAndEveryPartitionIsStillAnswered() {
        var snapshot = SoftmaxFit.snapshot(MODEL, 1, SoftmaxFit.random(1, 0.05), Instant.now());
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(snapshot), TestSigning.signed(snapshot)));

        // A valid-looking request whose "image" is 2.5 MB of base64 zeros: not an image, and too big to copy whole.
        byte[] big = ("{\"id\": \"huge-1\", \"image\": \"" + "A".repeat(OVERSIZE) + "\"}").getBytes(StandardCharsets.UTF_8);
        sendGzip(new ProducerRecord<>(Topics.REQUESTS, 0, "huge-1".getBytes(StandardCharsets.UTF_8), big));
        byte[] malformed = "{not json".getBytes(StandardCharsets.UTF_8);
        send(kafka, new ProducerRecord<>(Topics.REQUESTS, 0, "malformed-1".getBytes(StandardCharsets.UTF_8),
                malformed));

        long start = System.nanoTime();
        int[] pixels = new int[784];
        Arrays.fill(pixels, 7);
        for (int p = 0; p < 3; p++) {
            String id = "after-" + p;
            send(kafka, new ProducerRecord<>(Topics.REQUESTS, p, id.getBytes(StandardCharsets.UTF_8),
                    ClassificationCodec.encodeRequest(new ClassificationRequest(id, pixels, null, false, null))));
        }
        Set<String> answered = new HashSet<>();
        while (answered.size() < 3) {
            var r = firstMatch(kafka, Topics.PREDICTIONS, rec -> key(rec).startsWith("after-")
                    && !answered.contains(key(rec)), Duration.ofSeconds(30));
            Prediction prediction = ClassificationCodec.decodePrediction(r.value());
            assertEquals(1, prediction.modelVersion());
            answered.add(prediction.id());
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos(), "answered within 30 s");

        var huge = firstMatch(kafka, Topics.DEAD_LETTER, r -> "huge-1".equals(key(r)), Duration.ofSeconds(30));
        assertTrue(DeadLetters.header(huge.headers(), DeadLetters.REASON).contains("huge-1"),
                DeadLetters.header(huge.headers(), DeadLetters.REASON));
        assertEquals("true", DeadLetters.header(huge.headers(), DeadLetters.TRUNCATED));
        assertEquals(Integer.toString(big.length), DeadLetters.header(huge.headers(), DeadLetters.ORIGINAL_SIZE));
        assertEquals(Topics.REQUESTS, DeadLetters.header(huge.headers(), DeadLetters.SOURCE_TOPIC));
        assertEquals("0", DeadLetters.header(huge.headers(), DeadLetters.SOURCE_PARTITION));
        assertTrue(huge.value().length < 1024 * 1024 && Arrays.equals(Arrays.copyOf(big, huge.value().length), huge.value()),
                "a bounded prefix of the original");

        var bad = firstMatch(kafka, Topics.DEAD_LETTER, r -> "malformed-1".equals(key(r)), Duration.ofSeconds(30));
        assertTrue(DeadLetters.header(bad.headers(), DeadLetters.REASON).contains("not valid JSON"));
        assertNull(DeadLetters.header(bad.headers(), DeadLetters.TRUNCATED));
        assertTrue(Arrays.equals(malformed, bad.value()));

        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.contains("fmnist_inference_requests_lag"), "lag gauge exported");
        // the only replica of the group owns every partition: one row each, by group and partition, all drained
        // (the gauge shows the consumer's last reading, taken between two polls: a moment after the first scrape)
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            String now = given().get("/q/metrics").asString();
            for (int p = 0; p < Topics.REQUEST_PARTITIONS; p++) {
                String row = "fmnist_inference_requests_lag{group=\"fmnist-inference\",partition=\"" + p
                        + "\",topic=\"fmnist.requests\"} 0.0";
                assertTrue(now.contains(row), "lag row of partition " + p + " in:\n" + now.lines()
                        .filter(l -> l.startsWith("fmnist_inference_requests_lag")).toList());
            }
        });
    }
}
