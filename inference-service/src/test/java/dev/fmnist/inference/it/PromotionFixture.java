package dev.fmnist.inference.it;

import static io.restassured.RestAssured.given;

import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/**
 * What the promotion ITs ({@code PromotionIT}, {@code RollbackIT}, {@code PromotionOutageDrillIT}) share: one served
 * softmax model ({@link Profile}), its snapshots published signed by the trainer's key, labelled test images over
 * REST, the serving state as the admin endpoints show it, and the records of fmnist.alerts and fmnist.model-control.
 * Built on the test's {@link KafkaCompanion} (injected by KafkaTestResource); REST goes to the test's Quarkus app.
 */
public final class PromotionFixture {
    public static final String MODEL = "fmnist-softmax";
    /** Long enough for a loaded CI machine; a wait that takes longer has failed. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    public static final String AUTH = "Bearer " + KafkaItProfile.ADMIN_TOKEN;
    private final KafkaCompanion kafka;

    /**
     * KafkaItProfile's settings, the softmax model alone, and the test's promotion settings
     * ({@code fmnist.inference.promotion.*} and the like) from {@link #promotion()}.
     */
    public abstract static class Profile extends KafkaItProfile {
        /** The settings this test adds. */
        protected abstract Map<String, String> promotion();

        @Override
        public final Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("fmnist.inference.models", "softmax");
            m.putAll(promotion());
            return m;
        }
    }

    public PromotionFixture(KafkaCompanion kafka) {
        this.kafka = kafka;
    }

    /** Publishes {@code fit} as version {@code version} of the model, signed, and waits for the broker to have it. */
    public void publish(long version, SoftmaxFit.Fit fit) {
        WeightSnapshot s = SoftmaxFit.snapshot(MODEL, version, fit, Instant.now());
        TestRecords.send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s)));
    }

    /** The first alert of {@code kind} on {@code version} (its candidate, or the version rolled back from). */
    public Alert alert(Alert.Kind kind, long version) {
        String role = kind == Alert.Kind.ROLLED_BACK ? "from" : "candidate";
        var r = TestRecords.firstMatch(kafka, Topics.ALERTS, rec -> {
            Alert a = AlertCodec.decode(rec.value(), TestSigning.CONTROL_PUBLIC);
            return a.kind() == kind && Long.valueOf(version).equals(a.versions().get(role));
        }, TIMEOUT);
        return AlertCodec.decode(r.value(), TestSigning.CONTROL_PUBLIC);
    }

    /** The first alert of {@code kind}, whichever versions. */
    public Alert alert(Alert.Kind kind) {
        return AlertCodec.decode(TestRecords.firstMatch(kafka, Topics.ALERTS,
                r -> AlertCodec.decode(r.value(), TestSigning.CONTROL_PUBLIC).kind() == kind, TIMEOUT).value(), TestSigning.CONTROL_PUBLIC);
    }

    /** Every record of partition 0 of {@code topic} (the pipeline's control topics have one), from the beginning. */
    public List<ConsumerRecord<byte[], byte[]>> all(String topic) {
        TopicPartition p = new TopicPartition(topic, 0);
        long end = kafka.offsets().get(p, OffsetSpec.latest()).offset();
        return kafka.consume(byte[].class, byte[].class).fromOffsets(Map.of(p, 0L), end).awaitCompletion(TIMEOUT)
                .getRecords();
    }

    /** Test images {@code from .. from + count - 1} with their labels, in one JSON batch (one request, many images). */
    public static void classifyLabelled(FashionMnistData data, int from, int count) {
        given().contentType("application/json").body(labelledJson(data, from, count)).post("/api/v1/classify").then()
                .statusCode(200);
    }

    /** The JSON body of {@link #classifyLabelled}: {@code {"images": [[784 pixels], ...], "labels": [...]}}. */
    public static String labelledJson(FashionMnistData data, int from, int count) {
        StringBuilder images = new StringBuilder("{\"images\": [");
        StringBuilder labels = new StringBuilder("], \"labels\": [");
        byte[] px = data.test().images().pixels();
        for (int k = from; k < from + count; k++) {
            images.append(k == from ? "[" : ",[");
            for (int i = 0; i < FashionMnist.PIXELS; i++) {
                images.append(i == 0 ? "" : ",").append(px[k * FashionMnist.PIXELS + i] & 0xFF);
            }
            images.append(']');
            labels.append(k == from ? "" : ",").append(data.test().label(k));
        }
        return images.append(labels).append("]}").toString();
    }

    /** The live version, or -1 before the first one. */
    public static long live() {
        var r = given().get("/api/v1/model");
        return r.statusCode() == 200 ? r.jsonPath().getLong("version") : -1;
    }

    /** {@code GET /api/v1/model/versions} as the admin. */
    public static JsonPath versions() {
        return given().header("Authorization", AUTH).get("/api/v1/model/versions").then().statusCode(200)
                .extract().jsonPath();
    }

    /** The state of {@code version} ({@code live}, {@code candidate}, {@code promoted}, ...). */
    public static String state(long version) {
        return versions().getString("versions.find { it.version == " + version + " }.state");
    }

    /** The sum of the {@code /q/metrics} rows of {@code series} whose line contains every one of {@code tags}. */
    public static double metric(String series, String... tags) {
        return given().get("/q/metrics").then().extract().asString().lines()
                .filter(l -> l.startsWith(series + "{") || l.startsWith(series + " "))
                .filter(l -> java.util.Arrays.stream(tags).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Waits up to {@link #TIMEOUT} for {@code done}, looking every 100 ms. */
    public static void await(String what, BooleanSupplier done) {
        Awaitility.await(what).atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(done::getAsBoolean);
    }
}
