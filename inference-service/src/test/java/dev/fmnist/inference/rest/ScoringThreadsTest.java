package dev.fmnist.inference.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.messaging.Channels;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ScoringThreads;
import dev.fmnist.inference.support.InMemoryChannels;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestNetworks;
import dev.fmnist.inference.support.ThreadProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import io.smallrye.reactive.messaging.memory.InMemorySource;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * Which thread scores a request ({@link ScoringThreads}): raw bytes for softmax on the event loop they
 * arrived on, for the mlp and the cnn on a worker (a cnn forward pass is about 25 times softmax's);
 * PNG, JSON, JSON batches and Kafka requests on workers for every model. Errors keep their mapping on the
 * worker path.
 * The channels are in memory; the models are offered straight to their registries.
 */
@QuarkusTest
@TestProfile(ScoringThreadsTest.ThreeModels.class)
class ScoringThreadsTest {
    private static final String[] MODELS = {"fmnist-softmax", "fmnist-mlp", "fmnist-cnn"};

    /** softmax, mlp and cnn served; no broker (channels in memory, plain clients at a closed port). */
    public static class ThreeModels extends InMemoryChannels {
        @Override
        protected Map<String, String> more() {
            return Map.of("fmnist.inference.models", "softmax,mlp,cnn");
        }
    }

    @Inject
    ModelService models;

    @Inject
    ThreadProbe probe;

    @Inject
    @Any
    InMemoryConnector connector;

    private static byte[] image() {
        byte[] px = new byte[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i % 3 == 0 ? 0 : (i * 37) % 256);
        }
        return px;
    }

    private static String pixelsJson(byte[] px) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < px.length; i++) {
            b.append(i == 0 ? "" : ",").append(px[i] & 0xFF);
        }
        return b.append(']').toString();
    }

    private static ValidatableResponse post(String model, String contentType, byte[] body) {
        return given().contentType(contentType).body(body).queryParam("model", model).post("/api/v1/classify").then();
    }

    private static ValidatableResponse post(String model, String contentType, String body) {
        return post(model, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one request and returns the thread that scored it for {@code model}. */
    private ThreadProbe.Seen scoredBy(String model, Supplier<ValidatableResponse> request) {
        probe.clear();
        request.get().statusCode(200);
        return probe.last(model).orElseThrow(() -> new AssertionError("no scoring of " + model + " seen"));
    }

    @Test
    void softmaxIsScoredOnTheEventLoopTheHeavierFamiliesOnWorkersAndErrorsKeepTheirMapping() {
        assertTrue(ScoringThreads.onIoThread(ModelFamily.SOFTMAX));
        assertFalse(ScoringThreads.onIoThread(ModelFamily.MLP));
        assertFalse(ScoringThreads.onIoThread(ModelFamily.CNN));

        // before the cnn has a version: the 503 now comes from a worker, answered as before
        post("cnn", "application/octet-stream", image()).statusCode(503).header("Retry-After", "5")
                .body("error", containsString("no model loaded yet: waiting for a snapshot of 'fmnist-cnn'"));

        models.model("softmax").offer(LoadedModel.of(SoftmaxFit.snapshot("fmnist-softmax", 1,
                SoftmaxFit.random(1, 0.05), Instant.EPOCH), Instant.EPOCH));
        models.model("mlp").offer(LoadedModel.of(TestNetworks.snapshot("fmnist-mlp", 1,
                TestNetworks.random(ModelFamily.MLP, 2), Instant.EPOCH), Instant.EPOCH));
        models.model("cnn").offer(LoadedModel.of(TestNetworks.snapshot("fmnist-cnn", 1,
                TestNetworks.random(ModelFamily.CNN, 3), Instant.EPOCH), Instant.EPOCH));

        byte[] px = image();
        for (String model : MODELS) {
            ThreadProbe.Seen raw = scoredBy(model, () -> post(model, "application/octet-stream", px)
                    .body("model", equalTo(model)).body("modelVersion", equalTo(1)));
            boolean cheap = ScoringThreads.onIoThread(ModelFamily.parse(model));
            assertEquals(cheap, raw.eventLoop(), model + " raw bytes scored on " + raw.thread());
            if (!cheap) {
                assertTrue(raw.thread().startsWith("executor-thread"), model + ": a Quarkus worker, not " + raw.thread());
            }
            ThreadProbe.Seen png = scoredBy(model, () -> post(model, "image/png", ImageConverter.encodePng(px))
                    .body("model", equalTo(model)));
            ThreadProbe.Seen json = scoredBy(model, () -> post(model, "application/json",
                    "{\"pixels\": " + pixelsJson(px) + "}").body("model", equalTo(model)));
            ThreadProbe.Seen batch = scoredBy(model, () -> post(model, "application/json",
                    "{\"images\": [" + pixelsJson(px) + ", " + pixelsJson(px) + "]}")
                    .body("predictions[1].model", equalTo(model)));
            for (ThreadProbe.Seen seen : new ThreadProbe.Seen[] {png, json, batch}) {
                assertFalse(seen.eventLoop(), model + " PNG/JSON/batch scored on " + seen.thread());
            }
        }

        // Kafka requests run on their channel's worker pool, the cnn's too
        InMemorySource<Message<byte[]>> requests = connector.source(Channels.REQUESTS_IN);
        InMemorySink<byte[]> predictions = connector.sink(Channels.PREDICTIONS_OUT);
        int[] ints = new int[px.length];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = px[i] & 0xFF;
        }
        probe.clear();
        requests.send(Message.of(ClassificationCodec.encodeRequest(
                new ClassificationRequest("k-1", ints, null, false, null, "cnn"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> !predictions.received().isEmpty());
        Prediction p = ClassificationCodec.decodePrediction(predictions.received().get(0).getPayload());
        assertEquals("fmnist-cnn", p.model());
        assertEquals(1, p.modelVersion());
        ThreadProbe.Seen kafka = probe.last("fmnist-cnn").orElseThrow();
        assertFalse(kafka.eventLoop(), "Kafka request scored on " + kafka.thread());

        // refusals before scoring are unchanged on either path
        post("cnn", "application/octet-stream", new byte[783]).statusCode(400)
                .body("error", containsString("exactly 784 bytes"));
        post("cnn", "application/octet-stream", image()).statusCode(200);
        given().contentType("application/octet-stream").body(image()).queryParam("model", "cnn")
                .queryParam("label", "eleven").post("/api/v1/classify").then().statusCode(400);
    }
}
