package dev.fmnist.console.client;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.console.live.EventHub;
import dev.fmnist.console.live.StatusPoller;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageConverter;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The console's REST clients against services answering real HTTP ({@link StubServices}): the status
 * poll turns their typed answers into the panels the page reads (a field a newer service added is
 * ignored, not a failed poll), and the forwarded actions pass status and body through with the browser's
 * Authorization header.
 */
@QuarkusTest
@WithTestResource(StubServices.class)
class ServiceClientsTest {
    @Inject
    StatusPoller poller;
    @Inject
    EventHub hub;
    @Inject
    ObjectMapper json;

    JsonNode panel(String event) throws Exception {
        return json.readTree(hub.current(event));
    }

    @Test
    void theStatusPollFillsThePanelsFromTheTypedAnswers() throws Exception {
        poller.pollOnce();
        JsonNode training = panel("training");
        assertTrue(training.path("reachable").asBoolean());
        assertEquals("TRAINING", training.path("state").asText());
        assertEquals(51234.5, training.path("samplesPerSecond").asDouble());
        assertFalse(training.has("history"), "the curves come from the snapshots");
        JsonNode curves = panel("curves.fmnist-softmax");
        assertEquals(1, curves.at("/points/0/epoch").asInt(), "the trainer's history fills the curve");
        assertEquals(0.78, curves.at("/points/0/testAccuracy").asDouble());

        JsonNode model = panel("model.fmnist-softmax");
        assertTrue(model.path("reachable").asBoolean());
        assertTrue(StubServices.CALLS.contains(new StubServices.Call("GET", "/api/v1/model?model=fmnist-softmax", null)),
                "the followed model is asked for by name: " + StubServices.CALLS);
        assertEquals(2, model.at("/model/version").asLong());
        assertEquals("2026-12-07T09:00:01Z", model.at("/model/loadedAt").asText());
        assertEquals(0.1, model.at("/model/hyperparameters/learningRate").asDouble());
        assertEquals("2026-12-07T09:00:01Z", model.at("/swaps/0/loadedAt").asText());
        assertEquals(2, panel("replicas").at("/replicas/0/version").asLong());

        JsonNode online = panel("online");
        assertEquals(0.75, online.path("accuracy").asDouble());
        assertEquals(4, online.at("/versions/0/labelled").asLong());

        JsonNode ingest = panel("ingest");
        assertTrue(ingest.path("reachable").asBoolean());
        assertTrue(ingest.has("publication") && ingest.get("publication").isNull(), "404: nothing published yet");
    }

    @Test
    void actionsPassTheServicesAnswerAndTheBrowsersTokenThrough() {
        given().header("Authorization", "Bearer person-token").contentType("application/json").body("{\"version\":9}")
                .post("/api/model/pin").then().statusCode(409).body("error", org.hamcrest.Matchers.equalTo(
                        "version 9 is not retained"));
        assertTrue(StubServices.CALLS.contains(new StubServices.Call("POST", "/api/v1/model/pin", "Bearer person-token")),
                StubServices.CALLS.toString());

        given().contentType("image/png").body(ImageConverter.encodePng(new byte[FashionMnist.PIXELS]))
                .post("/api/classify?label=Sneaker").then().statusCode(200)
                .body("prediction.query", org.hamcrest.Matchers.equalTo("label=7"))
                .body("labels[7]", org.hamcrest.Matchers.equalTo("Sneaker"));
        assertTrue(StubServices.CALLS.stream().anyMatch(c -> c.method().equals("POST")
                && c.uri().equals("/api/v1/classify?label=7") && c.authorization() == null));

        // ?model= reaches inference as the model name; an unknown one is refused before any call
        given().contentType("image/png").body(ImageConverter.encodePng(new byte[FashionMnist.PIXELS]))
                .post("/api/classify?model=cnn").then().statusCode(200)
                .body("prediction.query", org.hamcrest.Matchers.equalTo("model=fmnist-cnn"));
        given().header("Authorization", "Bearer person-token").contentType("application/json").body("{\"version\":9}")
                .post("/api/model/pin?model=fmnist-mlp").then().statusCode(409);
        assertTrue(StubServices.CALLS.contains(new StubServices.Call("POST", "/api/v1/model/pin?model=fmnist-mlp",
                "Bearer person-token")), StubServices.CALLS.toString());
        int calls = StubServices.CALLS.size();
        given().header("Authorization", "Bearer person-token").post("/api/model/rollback?model=resnet").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("unknown model family 'resnet'"));
        assertEquals(calls, StubServices.CALLS.size(), "nothing forwarded");
    }
}
