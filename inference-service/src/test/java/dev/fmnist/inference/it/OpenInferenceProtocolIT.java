package dev.fmnist.inference.it;

import static dev.fmnist.inference.it.TestRecords.send;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.inference.support.OnnxRuntimeModel;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Inference Protocol v2 endpoints and the weight export against a real broker: two
 * snapshots of a model of this test's own; the spec's request shape; OIP's probabilities equal
 * /api/v1/classify's for all 10,000 test images; exported weights scored by NumPy alone, the ONNX export by
 * ONNX Runtime.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(OipItProfile.class)
class OpenInferenceProtocolIT {
    private static final String MODEL = OipItProfile.MODEL;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FashionMnistData data;
    private static SoftmaxFit.Fit trained;
    /** The test's Kafka client, injected by KafkaTestResource. */
    KafkaCompanion kafka;

    @TempDir
    Path tmp;

    /** Once per class, but after Quarkus has set RestAssured's port (a @BeforeAll runs before that). */
    @BeforeEach
    void publishTwoVersions() throws Exception {
        if (trained != null) {
            return;
        }
        data = SoftmaxFit.data();
        trained = SoftmaxFit.fit(data, 60_000, 2, 1);
        for (var s : new dev.fmnist.contracts.WeightSnapshot[] {
                SoftmaxFit.snapshot(MODEL, 1, SoftmaxFit.random(9, 0.05), Instant.now()),
                SoftmaxFit.snapshot(MODEL, 2, trained, Instant.now())}) {
            send(kafka, new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s)));
        }
        await("version 2 went live").atMost(Duration.ofSeconds(60))
                .until(() -> given().get("/v2/models/" + MODEL + "/versions/2/ready").statusCode() == 200);
    }

    private static String uint8Request(String id, int from, int count) {
        StringBuilder b = new StringBuilder("{\"id\": \"" + id + "\", \"inputs\": [{\"name\": \"input\", \"shape\": ["
                + count + ", 784], \"datatype\": \"UINT8\", \"data\": [");
        byte[] px = data.test().images().pixels();
        for (int i = from * 784; i < (from + count) * 784; i++) {
            b.append(i == from * 784 ? "" : ",").append(px[i] & 0xFF);
        }
        return b.append("]}]}").toString();
    }

    @Test
    void serverAndModelMetadataAndHealth() {
        given().get("/v2").then().statusCode(200).body("name", equalTo("fmnist-inference"))
                .body("extensions.size()", equalTo(0));
        given().get("/v2/health/live").then().statusCode(200);
        given().get("/v2/health/ready").then().statusCode(200);
        given().get("/v2/models/" + MODEL).then().statusCode(200).body("name", equalTo(MODEL))
                .body("versions", org.hamcrest.Matchers.hasItems("1", "2"))
                .body("inputs[0].name", equalTo("input")).body("inputs[0].datatype", equalTo("UINT8"))
                .body("inputs[0].shape", equalTo(java.util.List.of(-1, 784)))
                .body("outputs[0].name", equalTo("probabilities")).body("outputs[1].datatype", equalTo("INT64"));
        given().get("/v2/models/" + MODEL + "/versions/1").then().statusCode(200).body("versions", equalTo(java.util.List.of("1")));
        given().get("/v2/models/" + MODEL + "/ready").then().statusCode(200);
        given().get("/v2/models/other").then().statusCode(404).body("error", containsString("unknown model 'other'"));
        given().get("/v2/models/" + MODEL + "/versions/99/ready").then().statusCode(404)
                .body("error", containsString("version 99"));
    }

    @Test
    void inferAnswersLikeClassifyForAllTestImagesAndHonoursVersionsAndOutputs() throws Exception {
        int n = data.test().count();
        int correct = 0;
        for (int from = 0; from < n; from += 1000) {
            JsonNode r = JSON.readTree(given().contentType("application/json").body(uint8Request("batch-" + from, from, 1000))
                    .post("/v2/models/" + MODEL + "/infer").then().statusCode(200).extract().asString());
            assertEquals(MODEL, r.get("model_name").asText());
            assertEquals("2", r.get("model_version").asText());
            assertEquals("batch-" + from, r.get("id").asText());
            JsonNode probs = r.get("outputs").get(0);
            JsonNode classes = r.get("outputs").get(1);
            assertEquals("probabilities", probs.get("name").asText());
            assertEquals("[1000,10]", probs.get("shape").toString());
            assertEquals("FP32", probs.get("datatype").asText());
            assertEquals("class", classes.get("name").asText());
            assertEquals("INT64", classes.get("datatype").asText());
            for (int k = 0; k < 1000; k++) {
                int image = from + k;
                if (image % 10 == 0 || image < 2000) {
                    // the same code as /api/v1/classify with raw bytes: the same floats, exactly
                    byte[] px = Arrays.copyOfRange(data.test().images().pixels(), image * 784, (image + 1) * 784);
                    JsonNode c = JSON.readTree(given().contentType("application/octet-stream").body(px)
                            .post("/api/v1/classify").then().statusCode(200).extract().asString());
                    for (int j = 0; j < 10; j++) {
                        assertEquals((float) c.get("probabilities").get(j).asDouble(),
                                (float) probs.get("data").get(k * 10 + j).asDouble(), 0f, "image " + image + " class " + j);
                    }
                    assertEquals(c.get("classIndex").asInt(), classes.get("data").get(k).asInt());
                }
                if (classes.get("data").get(k).asInt() == data.test().label(image)) {
                    correct++;
                }
            }
        }
        assertEquals(trained.testAccuracy(), correct / (double) n, 0.0005, "OIP accuracy on the test split");

        // an explicit version, FP32 input in [0, 1] and only the class asked for
        StringBuilder fp32 = new StringBuilder("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"FP32\", \"data\": [");
        for (int i = 0; i < 784; i++) {
            fp32.append(i == 0 ? "" : ",").append((data.test().images().pixels()[i] & 0xFF) / 255.0);
        }
        fp32.append("]}], \"outputs\": [{\"name\": \"class\"}]}");
        given().contentType("application/json").body(fp32.toString()).post("/v2/models/" + MODEL + "/versions/1/infer")
                .then().statusCode(200).body("model_version", equalTo("1")).body("outputs.size()", equalTo(1))
                .body("outputs[0].name", equalTo("class")).body("outputs[0].shape", equalTo(java.util.List.of(1)));
    }

    @Test
    void errorsAreTheProtocolsErrorBody() {
        String infer = "/v2/models/" + MODEL + "/infer";
        // the spec's own example request: a UINT32 [2, 2] tensor this model cannot take
        given().contentType("application/json").body("{\"id\": \"42\", \"inputs\": [{\"name\": \"input0\", \"shape\": [2, 2],"
                        + " \"datatype\": \"UINT32\", \"data\": [1, 2, 3, 4]}], \"outputs\": [{\"name\": \"output0\"}]}")
                .post(infer).then().statusCode(400).body("error", containsString("unknown output \"output0\""));
        given().contentType("application/json").body("{\"id\": \"42\", \"inputs\": [{\"name\": \"input0\", \"shape\": [2, 2],"
                        + " \"datatype\": \"UINT32\", \"data\": [1, 2, 3, 4]}]}")
                .post(infer).then().statusCode(400).body("error", containsString("shape [2, 2]"));
        given().contentType("application/json").body("{\"inputs\": [").post(infer).then().statusCode(400)
                .body("error", containsString("malformed JSON"));
        given().contentType("application/json").body("{\"id\": \"42\", \"input\": []}").post(infer).then().statusCode(400)
                .body("error", containsString("unknown field 'input'"));
        given().contentType("application/json").body(uint8Request("x", 0, 1)).post("/v2/models/nope/infer")
                .then().statusCode(404).body("error", containsString("unknown model"));
        given().contentType("application/json").body(uint8Request("x", 0, 1)).post("/v2/models/" + MODEL + "/versions/7/infer")
                .then().statusCode(404);
    }

    @Test
    void exportedWeightsScoreTheTestSplitInNumpyAlone() throws Exception {
        byte[] npz = given().queryParam("format", "npz").get("/api/v1/model/export").then().statusCode(200)
                .header("Content-Disposition", containsString(MODEL + "-v2.npz")).header("X-Model-Version", "2")
                .extract().asByteArray();
        byte[] st = given().queryParam("format", "safetensors").queryParam("version", "2").get("/api/v1/model/export")
                .then().statusCode(200).extract().asByteArray();
        given().queryParam("format", "pickle").get("/api/v1/model/export").then().statusCode(400)
                .body("error", containsString("npz, safetensors, onnx"));
        given().queryParam("version", "99").get("/api/v1/model/export").then().statusCode(404);
        Path npzFile = Files.write(tmp.resolve("m.npz"), npz);
        Path stFile = Files.write(tmp.resolve("m.safetensors"), st);
        String python = "/usr/bin/python3";
        Process probe = new ProcessBuilder(python, "-c", "import numpy").start();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "Debian's python3-numpy is not installed (.ci/run installs it)");
        String dataDir = System.getProperty("fmnist.test.data-dir", "../../shared/data/fashion-mnist");
        for (Path f : new Path[] {npzFile, stFile}) {
            Process p = new ProcessBuilder(python, "export-check/check_export.py", f.toString(), dataDir,
                    Double.toString(trained.testAccuracy()), "0.0005").redirectErrorStream(true).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("version 2"), out);
        }
    }

    /** The served model's ONNX export, downloaded like a user would, reproduces its accuracy in ONNX Runtime. */
    @Test
    void exportedOnnxScoresTheTestSplitInOnnxRuntime() throws Exception {
        byte[] onnx = given().queryParam("format", "onnx").get("/api/v1/model/export").then().statusCode(200)
                .contentType("application/octet-stream").header("Content-Disposition", containsString(MODEL + "-v2.onnx"))
                .header("X-Model-Version", "2").extract().asByteArray();
        float[][] p;
        try (OnnxRuntimeModel model = new OnnxRuntimeModel(onnx)) {
            assertEquals("2", model.session().getMetadata().getCustomMetadata().get("version"));
            p = model.probabilities(data.test());
        }
        int correct = 0;
        for (int k = 0; k < p.length; k++) {
            correct += Forward.argmax(p[k]) == data.test().label(k) ? 1 : 0;
        }
        double accuracy = correct / (double) p.length;
        assertEquals(trained.testAccuracy(), accuracy, 0.0005, "ONNX Runtime's accuracy vs the served model's");
    }
}
