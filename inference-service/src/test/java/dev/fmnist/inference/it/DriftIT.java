package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.firstMatch;
import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Drift end to end on a real broker: a served softmax answers ordinary raw requests over REST, then
 * dark-on-light ones (the test images inverted, as a photo sent without {@code invert=true}); a
 * {@code drift} alert with its figures appears on fmnist.alerts and the gauge flips to 1. The default window
 * (1,000 requests, evaluated every 100) and thresholds.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(DriftIT.Profile.class)
class DriftIT {
    private static final String MODEL = ModelFamily.SOFTMAX.modelName();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    /** KafkaItProfile's settings and a named replica. */
    public static class Profile extends KafkaItProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("fmnist.inference.replica-name", "drift-it-replica");
            return m;
        }
    }

    @TestHTTPResource("/api/v1/classify")
    URI classifyUri;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static double metric(String series) {
        for (String line : given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no series " + series + " in /q/metrics");
    }

    /** Raw bytes over REST (the JDK's client on one connection: a thousand requests in a few seconds). */
    private void classify(byte[] pixels) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(classifyUri)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(pixels)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void darkOnLightRequestsRaiseADriftAlertOnTheTopicAndTheGauge() throws Exception {
        String active = "fmnist_inference_drift_active{model=\"" + MODEL + "\"}";
        String border = "fmnist_inference_drift_psi{feature=\"border\",model=\"" + MODEL + "\"}";
        String driftAlerts = "fmnist_inference_alerts_total{kind=\"drift\",model=\"" + MODEL + "\"}";
        assertEquals(0, metric(active), "the gauges exist before any request");
        assertTrue(Double.isNaN(metric(border)));
        assertEquals(0, metric(driftAlerts));
        assertEquals(0, metric("fmnist_inference_alerts_total{kind=\"rolled-back\",model=\"" + MODEL + "\"}"));

        FashionMnistData data = SoftmaxFit.data();
        WeightSnapshot s = SoftmaxFit.snapshot(MODEL, 1, SoftmaxFit.fit(data, 60_000, 1, 42), Instant.now());
        send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s)));
        Awaitility.await("v1 live").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> given().get("/api/v1/model").statusCode() == 200);

        byte[] test = data.test().images().pixels();
        int k = 0;
        for (; k < 1000; k++) {
            classify(Arrays.copyOfRange(test, k * FashionMnist.PIXELS, (k + 1) * FashionMnist.PIXELS));
        }
        assertEquals(0, metric(active), "ordinary requests: no drift");
        assertEquals(0, metric(driftAlerts), "no alert");
        assertTrue(metric(border) < 0.25, "measured once the window has filled: " + metric(border));

        int inverted = 0;
        while (metric(active) == 0 && inverted < 1000) {
            for (int i = 0; i < 100; i++, k++, inverted++) {
                byte[] px = Arrays.copyOfRange(test, k * FashionMnist.PIXELS, (k + 1) * FashionMnist.PIXELS);
                for (int j = 0; j < px.length; j++) {
                    px[j] = (byte) (255 - (px[j] & 0xFF));
                }
                classify(px);
            }
        }
        assertEquals(1, metric(active), "drift after " + inverted + " dark-on-light requests");
        assertTrue(inverted <= 1000, "within the first 1,000: " + inverted);

        ConsumerRecord<byte[], byte[]> record = firstMatch(kafka, Topics.ALERTS,
                r -> AlertCodec.decode(r.value(), TestSigning.CONTROL_PUBLIC).kind() == Alert.Kind.DRIFT
                        && AlertCodec.decode(r.value(), TestSigning.CONTROL_PUBLIC).reason().startsWith("input drift"), TIMEOUT);
        assertEquals(MODEL, new String(record.key(), StandardCharsets.UTF_8));
        Alert alert = AlertCodec.decode(record.value(), TestSigning.CONTROL_PUBLIC);
        assertEquals(MODEL, alert.model());
        assertEquals(Map.of("live", 1L), alert.versions());
        assertEquals("drift-it-replica", alert.source());
        assertTrue(alert.reason().contains("border"), alert.reason());
        for (String figure : new String[] {"psi.mean", "psi.contrast", "psi.lit", "psi.border", "psi.predictions"}) {
            assertTrue(alert.figures().containsKey(figure), figure + " in " + alert.figures());
        }
        assertEquals(1000.0, alert.figures().get("window"));
        assertTrue(alert.figures().get("psi.border") >= 0.25, alert.figures().toString());
        assertTrue(metric(driftAlerts) >= 1, "counted");
    }
}
