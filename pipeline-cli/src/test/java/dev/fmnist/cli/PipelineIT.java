package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fmnist.api.TrainingStatus;
import dev.fmnist.broker.FreePorts;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.deploy.AlertRules;
import dev.fmnist.deploy.DashboardMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline end to end, as {@code ./fmnist up -d} runs it: a real broker, the three
 * packaged services as processes, a data subset (12,000 train / 1,000 test images, 3 epochs).
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // a stalled call fails the run instead of hanging CI
class PipelineIT {
    private static final int TRAIN = 12000;
    private static final int TEST = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    private static KafkaTestResource kafka;
    private static Settings settings;
    private static Orchestrator.Result result;
    private static String upOutput;

    @BeforeAll
    static void up() throws Exception {
        kafka = new KafkaTestResource();
        String bootstrap = kafka.start().get("kafka.bootstrap.servers");
        Path repo = Path.of(System.getProperty("fmnist.repo.root", "..")).toAbsolutePath().normalize();
        int[] ports = FreePorts.take(4);
        settings = Settings.fromEnvironment(repo, Map.of())
                .withHome(home)
                .withExternalBootstrap(bootstrap)
                .withPorts(ports[0], ports[1], ports[2])
                .withConsolePort(ports[3])
                .withDataDir(dataDir());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        var options = new Orchestrator.Options(true, false, Optional.of(3), TRAIN, TEST, false,
                new EnumMap<>(Component.class), java.time.Duration.ofMinutes(8));
        // The services run in sessions of their own: stop them even if this JVM is told to exit.
        Settings started = settings;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> new Supervisor(started).stopAll()));
        try {
            result = new Orchestrator(settings, out).up(options);
        } finally {
            upOutput = captured.toString(StandardCharsets.UTF_8);
            System.out.println(upOutput);
        }
    }

    @AfterAll
    static void down() {
        try {
            if (settings != null) {
                new Supervisor(settings).stopAll();
                for (Component c : Component.values()) {
                    assertTrue(new Supervisor(settings).running(c).isEmpty(), c + " still running after down");
                }
            }
        } finally {
            if (kafka != null) {
                kafka.stop();
            }
        }
    }

    @Test
    void trainsThreeEpochsAndServesTheFinalSnapshot() {
        assertEquals(3, result.epoch(), upOutput);
        assertEquals(3, result.history().size(), upOutput);
        assertTrue(result.testAccuracy() > 0.7, "test accuracy " + result.testAccuracy());
        assertTrue(upOutput.contains(EpochTable.HEADER), upOutput);
        double previousLoss = Double.MAX_VALUE;
        for (TrainingStatus.HistoryEntry e : result.history()) {
            assertTrue(e.trainLoss() < previousLoss, "train loss falls epoch after epoch: " + result.history());
            previousLoss = e.trainLoss();
        }
    }

    @Test
    void restClassificationIsServedByTheTrainedSnapshotAndMatchesItsAccuracy() throws Exception {
        FashionMnistData data = FashionMnistData.load(dataDir());
        PipelineClient client = new PipelineClient(settings);

        byte[] first = Arrays.copyOfRange(data.test().images().pixels(), 0, FashionMnist.PIXELS);
        PipelineClient.Answer png = client.post(Component.INFERENCE, "/api/v1/classify", "image/png",
                ImageConverter.encodePng(first)).orElseThrow();
        assertEquals(200, png.status(), png.raw());
        assertEquals(result.modelVersion(), png.body().path("modelVersion").asLong());
        assertEquals(FashionMnist.label(png.body().path("classIndex").asInt()), png.body().path("label").asText());

        int correct = 0;
        int batch = 100;
        for (int start = 0; start < TEST; start += batch) {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode images = body.putArray("images");
            for (int i = start; i < start + batch; i++) {
                ArrayNode px = images.addArray();
                for (int p = 0; p < FashionMnist.PIXELS; p++) {
                    px.add(Byte.toUnsignedInt(data.test().images().pixels()[i * FashionMnist.PIXELS + p]));
                }
            }
            PipelineClient.Answer a = client.post(Component.INFERENCE, "/api/v1/classify", "application/json",
                    JSON.writeValueAsBytes(body)).orElseThrow();
            assertEquals(200, a.status(), a.raw());
            JsonNode predictions = a.body().path("predictions");
            assertEquals(batch, predictions.size());
            for (int i = 0; i < batch; i++) {
                assertEquals(result.modelVersion(), predictions.get(i).path("modelVersion").asLong());
                if (predictions.get(i).path("classIndex").asInt() == data.test().label(start + i)) {
                    correct++;
                }
            }
        }
        assertEquals(result.testAccuracy(), correct / (double) TEST, 1e-9,
                "accuracy through REST equals the accuracy the snapshot reports");
    }

    @Test
    void statusShowsTheRunAndClassifyRejectsBadInputWithAReason() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        assertEquals(0, Main.run(settings, java.util.List.of("status"), new PrintStream(captured, true, StandardCharsets.UTF_8), System.err));
        String status = captured.toString(StandardCharsets.UTF_8);
        assertTrue(status.contains("inference: serving v" + result.modelVersion()), status);
        assertTrue(status.contains(EpochTable.HEADER), status);

        PipelineClient.Answer bad = new PipelineClient(settings)
                .post(Component.INFERENCE, "/api/v1/classify", "application/octet-stream", new byte[10]).orElseThrow();
        assertEquals(400, bad.status(), bad.raw());
        assertFalse(bad.body().path("error").asText().isBlank(), bad.raw());
    }

    @Test
    void everyMetricTheDashboardAndTheAlertingRulesQueryIsExposedByARunningService() {
        Set<String> dashboard = new TreeSet<>(DashboardMetrics.names(settings.repo().resolve("monitoring/grafana/dashboards/fmnist-pipeline.json")));
        assertTrue(dashboard.size() > 10, "dashboard queries " + dashboard);
        // the alerting rules' series too: a rule on a series no service exposes would never fire
        dashboard.addAll(AlertRules.names(settings.repo().resolve("monitoring/prometheus/fmnist-alerts.yml")));
        StringBuilder exposition = new StringBuilder();
        PipelineClient client = new PipelineClient(settings);
        for (Component c : List.of(Component.INGEST, Component.TRAINER, Component.INFERENCE)) {
            PipelineClient.Answer a = client.get(c, "/q/metrics").orElseThrow();
            assertEquals(200, a.status());
            exposition.append(a.raw()).append('\n');
        }
        Set<String> exposed = new TreeSet<>();
        for (String line : exposition.toString().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                exposed.add(line.split("[{ ]", 2)[0]);
            }
        }
        Set<String> missing = new TreeSet<>(dashboard);
        missing.removeAll(exposed);
        assertTrue(missing.isEmpty(), "queried by the dashboard or an alerting rule but exposed by no service: " + missing);
    }

    static Path dataDir() {
        return Path.of(System.getProperty("fmnist.test.data-dir", "../../shared/data/fashion-mnist")).toAbsolutePath();
    }

}
