package dev.fmnist.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.support.testing.JsonErrorChecks;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.model.Recipe;
import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingRequest;
import dev.fmnist.trainer.service.TrainingService;
import dev.fmnist.trainer.service.TrainingSettings;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The trainer against a real broker: a 6,000/1,000-image subset published as ImageBatches (the
 * train split twice, to prove de-duplication), plus a user batch with unlabelled images and two bad
 * records, published once for the class. Each test checks one behaviour; they build on each other
 * in order (the API run makes v1-v3, the killed run v4, its resume v5, continuous mode v6), so
 * they run in that order and share the model's state through the broker.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerIT {
    static final String TOKEN = "test-admin-token";
    static final int TRAIN = 6_000;
    static final int TEST = 1_000;
    static final int USER_LABELLED = 4;
    static final long EXPECTED_SAMPLES = TRAIN + USER_LABELLED;
    static final int STEPS_PER_EPOCH = (int) ((EXPECTED_SAMPLES + 255) / 256);

    /** Shared by the class: the broker's address, the data, and the status the API run ended with. */
    static String bootstrap;
    static KafkaClients clients;
    static FashionMnistData data;
    static JsonPath apiRun;
    /** The %test profile's signing key, as the service has it. */
    static SnapshotSigning signing;
    /** Runs driven by the tests themselves set their epochs: no plan following. */
    static Trainer.Snapshots options;

    final TrainingService service;

    TrainerIT(TrainingService service) {
        this.service = service;
    }

    /** Publishes the data set once per class (the broker lives as long as the class's Quarkus app). */
    static synchronized void publishOnce() {
        if (clients != null) {
            return;
        }
        bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        try (DatasetPublisher publisher = new DatasetPublisher(bootstrap)) {
            publisher.publish(data.datasetId(), data.train(), Split.TRAIN, TRAIN, 256);
            publisher.publish(data.datasetId(), data.test(), Split.TEST, TEST, 256);
            // the same dataset published again must not count twice
            publisher.publish(data.datasetId(), data.train(), Split.TRAIN, TRAIN, 256);
            publisher.sendAndWait(Topics.TRAIN, "user-1".getBytes(StandardCharsets.UTF_8), ImageBatchCodec.encode(
                    userBatch("user-1", data, 0, 20, USER_LABELLED)));
            publisher.sendAndWait(Topics.TRAIN, "corrupt".getBytes(StandardCharsets.UTF_8),
                    "not an image batch".getBytes(StandardCharsets.UTF_8));
            publisher.sendAndWait(Topics.TRAIN, "small".getBytes(StandardCharsets.UTF_8), ImageBatchCodec.encode(
                    new ImageBatch("other", "small-0", Split.TRAIN, 0, 0, 14, 14, new byte[] {1}, new byte[196])));
        }
        signing = SnapshotSigning.signer(ConfigProvider.getConfig().getValue("fmnist.snapshots.signing-key", String.class), null);
        options = new Trainer.Snapshots(signing, 20, false);
        clients = new KafkaClients(bootstrap, "trainer-it");
    }

    /** The status of the 3-epoch API run (test 2), for the tests that check what it left behind. */
    static JsonPath apiRun() {
        assertTrue(apiRun != null, "the 3-epoch API run (threeEpochsThroughTheApi) did not complete");
        return apiRun;
    }

    @Test
    @Order(1)
    void adminEndpointsNeedTheTokenAndValidOverrides() {
        publishOnce();
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/training").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer").body("error", containsString("Authorization: Bearer"));
        given().auth().oauth2("wrong").contentType(ContentType.JSON).body("{}").post("/api/v1/training")
                .then().statusCode(401).header("WWW-Authenticate", "Bearer");
        given().auth().oauth2("test-writer-token").delete("/api/v1/training").then().statusCode(403)
                .body("error", containsString("role"));
        // the second (rotated-in) admin token and a lower-case scheme are accepted too
        given().header("Authorization", "bearer test-admin-token-next").contentType(ContentType.JSON)
                .body("{\"batchSize\": 0}").post("/api/v1/training").then().statusCode(400);
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"batchSize\": 0}").post("/api/v1/training")
                .then().statusCode(400).body("error", containsString("batchSize"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"epoch\": 3}").post("/api/v1/training")
                .then().statusCode(400).body("error", containsString("unknown field 'epoch'"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"learningRate\": -1}")
                .post("/api/v1/training").then().statusCode(400).body("error", containsString("learningRate"));
    }

    @Test
    @Order(2)
    void threeEpochsThroughTheApi() {
        publishOnce();
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"epochs\": 3, \"seed\": 1}")
                .post("/api/v1/training").then().statusCode(202);
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{}").post("/api/v1/training")
                .then().statusCode(409);
        JsonPath status = awaitStatus("COMPLETED", Duration.ofSeconds(90));
        assertEquals(3, status.getInt("epoch"));
        assertEquals(3 * STEPS_PER_EPOCH, status.getLong("step"));
        List<Map<String, Object>> history = status.getList("history");
        assertEquals(3, history.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, ((Number) history.get(i).get("epoch")).intValue());
            assertEquals(EXPECTED_SAMPLES, ((Number) history.get(i).get("samples")).longValue(),
                    "duplicates dropped, unlabelled skipped, user images trained");
            assertEquals(TEST, ((Number) history.get(i).get("testSamples")).intValue());
        }
        double lastTestAccuracy = ((Number) history.get(2).get("testAccuracy")).doubleValue();
        assertTrue(lastTestAccuracy > 0.7, "test accuracy " + lastTestAccuracy);
        assertTrue(((Number) history.get(2).get("trainLoss")).doubleValue()
                < ((Number) history.get(0).get("trainLoss")).doubleValue());
        assertEquals(3, status.getLong("modelVersion"));
        apiRun = status;
    }

    @Test
    @Order(3)
    void snapshotsReadBackFromTheTopic() {
        List<Map<String, Object>> history = apiRun().getList("history");
        List<WeightSnapshot> snapshots = snapshots(clients, "fmnist-softmax");
        assertEquals(3, snapshots.size());
        for (int i = 0; i < 3; i++) {
            WeightSnapshot s = snapshots.get(i);
            assertEquals(i + 1, s.version());
            assertEquals(i + 1, s.epoch());
            assertEquals((i + 1L) * STEPS_PER_EPOCH, s.step());
            assertEquals(((Number) history.get(i).get("modelVersion")).longValue(), s.version());
            assertEquals(((Number) history.get(i).get("testAccuracy")).doubleValue(), s.metrics().testAccuracy(), 1e-6);
            assertEquals(1, s.lineage().size());
            assertEquals(Topics.TRAIN, s.lineage().get(0).topic());
            assertEquals(2L * 24 + 3, s.lineage().get(0).offset(), "next offset after everything trained through");
        }
    }

    @Test
    @Order(4)
    void badRecordsAreDeadLetteredOnceWithTheirReason() {
        apiRun();
        // replayed 3 times by the API run, on the dead-letter topic once each
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(clients, Topics.DEAD_LETTER);
        assertEquals(2, dead.size());
        assertTrue(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON).contains("image batch"));
        assertTrue(DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON).contains("14x14"));
        assertEquals("trainer-service", DeadLetters.header(dead.get(0).headers(), DeadLetters.SERVICE));
        assertEquals("not an image batch", new String(dead.get(0).value(), StandardCharsets.UTF_8));
    }

    @Test
    @Order(5)
    void metricsShowTheRun() {
        apiRun();
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        String model = "model=\"fmnist-softmax\"";
        for (String series : List.of("fmnist_trainer_epoch{" + model + "} 3.0",
                "fmnist_trainer_snapshots_published_total{" + model + "} 3.0",
                "fmnist_trainer_records_dead_lettered_total 2.0",
                "fmnist_trainer_history_test_accuracy{epoch=\"3\"," + model + "}",
                "fmnist_trainer_step_time_seconds_count{" + model + "}", "fmnist_trainer_test_accuracy{" + model + "} 0.",
                "fmnist_trainer_samples_per_second{" + model + "}",
                "fmnist_trainer_state{" + model + ",state=\"COMPLETED\"} 1.0")) {
            assertTrue(metrics.contains(series), "missing " + series);
        }
    }

    @Test
    @Order(6)
    void aRunKilledMidEpochResumesFromItsLastSnapshot() {
        apiRun();
        // a restarted trainer (new instance, same broker), killed in the middle of epoch 5
        TrainingSettings five = service.settings(new TrainingRequest(5, null, null, 1L, null));
        RunWatch watch = new RunWatch();
        Trainer.Result killed = new Trainer(clients, five, options, watch).run(watch.stopAfterStep(4L * STEPS_PER_EPOCH + 5));
        List<EpochSummary> killedEpochs = watch.epochs;
        assertEquals(Trainer.State.STOPPED, killed.state());
        assertEquals(4, killed.epoch(), "resumed at epoch 3, finished epoch 4, killed in epoch 5");
        assertEquals(4, killed.modelVersion());
        assertEquals(List.of(4), killedEpochs.stream().map(EpochSummary::epoch).toList());
        assertEquals(4, snapshots(clients, "fmnist-softmax").size(), "nothing published for the killed epoch");

        // the next start resumes from v4: epoch 5 again, version 5
        List<EpochSummary> resumedEpochs = new CopyOnWriteArrayList<>();
        Trainer.Result resumed = new Trainer(clients, five, options, collecting(resumedEpochs)).run(() -> false);
        assertEquals(Trainer.State.COMPLETED, resumed.state());
        assertEquals(List.of(5), resumedEpochs.stream().map(EpochSummary::epoch).toList());
        assertEquals(5, resumed.modelVersion());
        assertEquals(5L * STEPS_PER_EPOCH, resumed.step());
    }

    @Test
    @Order(7)
    void aResumeWithNothingLeftToDoTrainsNothing() {
        TrainingSettings five = service.settings(new TrainingRequest(5, null, null, 1L, null));
        List<EpochSummary> epochs = new CopyOnWriteArrayList<>();
        Trainer.Result nothingToDo = new Trainer(clients == null ? fail() : clients, five, options, collecting(epochs))
                .run(() -> false);
        assertEquals(Trainer.State.COMPLETED, nothingToDo.state());
        assertTrue(epochs.isEmpty());
        assertEquals(5, nothingToDo.modelVersion());
        List<WeightSnapshot> all = snapshots(clients, "fmnist-softmax");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), all.stream().map(WeightSnapshot::version).toList());
        assertEquals(List.of(1, 2, 3, 4, 5), all.stream().map(WeightSnapshot::epoch).toList());
    }

    @Test
    @Order(8)
    void continuousModeTrainsOnAppendedImages() throws Exception {
        assertEquals(5, snapshots(clients == null ? fail() : clients, "fmnist-softmax").size(),
                "the earlier tests left v1-v5");
        // user images appended now are trained on online and snapshotted
        TrainingSettings continuous = new TrainingSettings("fmnist-softmax", 5, 0.1, 256, 1L, 0, true,
                true, true, 0, Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofSeconds(30),
                Duration.ofMillis(200), 10_000);
        AtomicBoolean stop = new AtomicBoolean();
        List<WeightSnapshot> online = new CopyOnWriteArrayList<>();
        CompletableFuture<Trainer.Result> running = CompletableFuture.supplyAsync(() -> new Trainer(clients, continuous, options,
                new Trainer.Listener() {
                    @Override
                    public void snapshot(WeightSnapshot snapshot) {
                        online.add(snapshot);
                    }
                }).run(stop::get));
        try (DatasetPublisher publisher = new DatasetPublisher(bootstrap)) {
            publisher.sendAndWait(Topics.TRAIN, "user-2".getBytes(StandardCharsets.UTF_8),
                    ImageBatchCodec.encode(userBatch("user-2", data, 100, 300, 300)));
        }
        await("a snapshot of the appended images").atMost(Duration.ofSeconds(90)).until(() -> !online.isEmpty());
        stop.set(true);
        Trainer.Result continuousResult = running.get(30, TimeUnit.SECONDS);
        assertEquals(Trainer.State.STOPPED, continuousResult.state());
        WeightSnapshot first = online.get(0);
        assertEquals(6, first.version());
        assertEquals(5, first.epoch());
        assertEquals(5L * STEPS_PER_EPOCH + 2, first.step(), "300 new images: minibatches of 256 and 44");
        assertEquals(2L * 24 + 4, first.lineage().get(0).offset());
        assertTrue(first.metrics().testAccuracy() > 0.7);
        assertEquals(2, readAll(clients, Topics.DEAD_LETTER).size(), "bad records reported once across processes");
    }

    @Test
    @Order(9)
    void aSecondRunOfTheServiceTopsUpWhatItHoldsWithTheImagesUploadedSince() {
        // the service read the topics for the API run (test 2) and keeps them: this run reads only what was
        // appended since (user-2 of test 8 and user-3 now) and trains on all of it, nothing twice
        try (DatasetPublisher publisher = new DatasetPublisher(bootstrap)) {
            publisher.sendAndWait(Topics.TRAIN, "user-3".getBytes(StandardCharsets.UTF_8),
                    ImageBatchCodec.encode(userBatch("user-3", data, 400, 50, 50)));
        }
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"epochs\": 6}").post("/api/v1/training")
                .then().statusCode(202);
        await("the 6-epoch run completed").atMost(Duration.ofSeconds(90)).until(() -> {
            JsonPath s = given().get("/api/v1/training").then().statusCode(200).extract().jsonPath();
            assertTrue(!"FAILED".equals(s.getString("state")), "run failed: " + s.getString("detail"));
            return "COMPLETED".equals(s.getString("state")) && s.getInt("epoch") == 6;
        });
        List<Map<String, Object>> history = given().get("/api/v1/training").then().extract().jsonPath().getList("history");
        Map<String, Object> last = history.get(history.size() - 1);
        assertEquals(6, ((Number) last.get("epoch")).intValue());
        assertEquals(EXPECTED_SAMPLES + 300 + 50, ((Number) last.get("samples")).longValue(),
                "the first run's images, test 8's 300 and the 50 uploaded now, each once");
    }

    static KafkaClients fail() {
        throw new AssertionError("the data set was not published (an earlier test failed)");
    }

    static Trainer.Listener collecting(List<EpochSummary> epochs) {
        return new Trainer.Listener() {
            @Override
            public void epoch(EpochSummary summary) {
                epochs.add(summary);
            }
        };
    }

    static ImageBatch userBatch(String id, FashionMnistData data, int from, int count, int labelled) {
        byte[] labels = Arrays.copyOfRange(data.train().labels(), from, from + count);
        for (int i = labelled; i < count; i++) {
            labels[i] = (byte) ImageBatch.UNLABELLED;
        }
        byte[] pixels = Arrays.copyOfRange(data.train().images().pixels(), from * 784, (from + count) * 784);
        return new ImageBatch("user-images", id, Split.USER, 0, 0, 28, 28, labels, pixels);
    }

    @Test
    @Order(20)
    void aCnnRunThroughTheApiCommitsSignedCnnSnapshotsUnderItsOwnName() {
        publishOnce();
        int softmaxSnapshots = snapshots(clients, "fmnist-softmax").size();
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"model\": \"lenet\"}")
                .post("/api/v1/training").then().statusCode(400)
                .body("error", containsString("unknown model family 'lenet'"))
                .body("error", containsString("[softmax, mlp, cnn]"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"model\": \"cnn\", \"epochs\": 2, \"seed\": 1}")
                .post("/api/v1/training").then().statusCode(202);
        JsonPath status = awaitStatus("COMPLETED", Duration.ofSeconds(180));
        assertEquals("fmnist-cnn", status.getString("modelName"));
        assertEquals(2, status.getInt("epoch"));
        List<Map<String, Object>> history = status.getList("history");
        long samples = ((Number) history.get(0).get("samples")).longValue(); // with the uploads of the tests before
        assertTrue(samples >= EXPECTED_SAMPLES, "samples " + samples);
        assertEquals(2 * ((samples + 255) / 256), status.getLong("step"));
        assertEquals(List.of(1, 2), history.stream().map(h -> ((Number) h.get("epoch")).intValue()).toList(),
                "the cnn's own history");

        // signed (snapshots() verifies with the service's key), decoded with the cnn's architecture
        List<WeightSnapshot> cnn = snapshots(clients, "fmnist-cnn");
        assertEquals(List.of(1L, 2L), cnn.stream().map(WeightSnapshot::version).toList());
        WeightSnapshot last = cnn.get(1);
        assertEquals(ModelFamily.CNN, last.network().family());
        assertEquals(ModelFamily.CNN.architecture(), last.network().architecture());
        assertEquals(Recipe.of(ModelFamily.CNN).learningRate(), last.hyperparameters().learningRate());
        // the trainer's DJL evaluation and the contracts' forward pass score the snapshot alike
        Forward forward = Forward.of(last.network());
        int correct = 0;
        for (int i = 0; i < TEST; i++) {
            if (Forward.argmax(forward.probabilities(data.test().images().pixels(), i * 784)) == data.test().label(i)) {
                correct++;
            }
        }
        assertEquals(last.metrics().testAccuracy(), (double) correct / TEST, 1.0 / TEST + 1e-9);
        // 48 steps with the rate decaying to 0 over them: it learns (chance is 0.1), the 10-epoch figure is the bench's
        assertTrue(last.metrics().testAccuracy() > 0.2, "cnn test accuracy " + last.metrics().testAccuracy());
        assertEquals(softmaxSnapshots, snapshots(clients, "fmnist-softmax").size(), "the softmax model is untouched");

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String series : List.of("fmnist_trainer_epoch{model=\"fmnist-cnn\"} 2.0",
                "fmnist_trainer_snapshots_published_total{model=\"fmnist-cnn\"} 2.0",
                "fmnist_trainer_state{model=\"fmnist-cnn\",state=\"COMPLETED\"} 1.0")) {
            assertTrue(metrics.contains(series), "missing " + series);
        }
    }

    @Test
    @Order(21)
    void aModelNameHoldingAnotherFamilyIsNeverLoaded() {
        assertEquals(2, snapshots(clients == null ? fail() : clients, "fmnist-cnn").size(), "the cnn run left v1-v2");
        TrainingSettings mlp = service.settings(new TrainingRequest(1, null, null, 1L, null, ModelFamily.MLP));
        TrainingSettings mlpUnderCnnName = new TrainingSettings("fmnist-cnn", mlp.epochs(), mlp.learningRate(),
                mlp.batchSize(), mlp.seed(), mlp.shuffleBuffer(), true, mlp.waitForData(), false, 0, Duration.ZERO,
                mlp.continuousSnapshotInterval(), mlp.pollTimeout(), mlp.kafkaTimeout(), mlp.readyPollInterval(),
                mlp.evalChunk(), ModelFamily.MLP);
        List<EpochSummary> epochs = new CopyOnWriteArrayList<>();
        Trainer.Result refused = new Trainer(clients, mlpUnderCnnName, options, collecting(epochs)).run(() -> false);
        assertEquals(Trainer.State.FAILED, refused.state());
        assertTrue(refused.detail().contains("holds cnn snapshots"), refused.detail());
        assertTrue(epochs.isEmpty());
        assertEquals(2, snapshots(clients, "fmnist-cnn").size(), "nothing published under the cnn's name");
    }

    static JsonPath awaitStatus(String state, Duration timeout) {
        AtomicReference<JsonPath> last = new AtomicReference<>();
        try {
            return await("state " + state).atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(() -> given().get("/api/v1/training").then().statusCode(200).extract().jsonPath(), status -> {
                        last.set(status);
                        assertTrue(!"FAILED".equals(status.getString("state")), "run failed: " + status.getString("detail"));
                        return state.equals(status.getString("state"));
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("state " + state + " not reached in " + timeout + "; last status "
                    + (last.get() == null ? "none" : last.get().prettify()), e);
        }
    }

    static List<WeightSnapshot> snapshots(KafkaClients clients, String model) {
        List<WeightSnapshot> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(clients, Topics.SNAPSHOTS)) {
            if (r.value() != null && SnapshotKeys.belongsTo(r.key(), model)) {
                out.add(WeightSnapshotCodec.decode(r.value(), signing));
            }
        }
        return out;
    }

    /** Every record of the topic up to its end offsets, read the way the trainer reads its bookkeeping topics. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaClients clients, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        clients.scan(topic, Duration.ofSeconds(5), out::add); // fails after 4 x 5 s
        return out;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Never an HTML page: an unknown path (in JAX-RS or outside it) and a wrong method answer the JSON error body. */
    @Test
    void unknownPathsAndWrongMethodsAnswerTheJsonErrorBody() {
        JsonErrorChecks.unknownPathsAndWrongMethodAnswerJson("PUT", "/api/v1/training");
    }
}
