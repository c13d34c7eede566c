package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.PublishStatus;
import dev.fmnist.api.TrainingStatus;
import dev.fmnist.contracts.model.ModelFamily;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    @TempDir
    Path home;

    @Test
    void settingsComeFromTheEnvironmentWithDefaults() {
        Settings d = Settings.fromEnvironment(Path.of("/repo"), Map.of());
        assertEquals(9092, d.kafkaPort());
        assertEquals(8080, d.inferencePort());
        assertEquals(8081, d.ingestPort());
        assertEquals(8082, d.trainerPort());
        assertEquals(Path.of("/repo/.fmnist"), d.home());
        assertEquals("localhost:9092", d.bootstrapServers());
        Settings s = Settings.fromEnvironment(Path.of("/repo"), Map.of("FMNIST_INFERENCE_PORT", "9000",
                "FMNIST_BOOTSTRAP_SERVERS", "broker:19092", "FMNIST_HOME", "/state"));
        assertEquals(9000, s.inferencePort());
        assertEquals("broker:19092", s.bootstrapServers());
        assertEquals(Path.of("/state/logs/trainer.log"), s.log(Component.TRAINER));
        CliException e = assertThrows(CliException.class,
                () -> Settings.fromEnvironment(Path.of("/repo"), Map.of("FMNIST_TRAINER_PORT", "80000")));
        assertTrue(e.getMessage().contains("FMNIST_TRAINER_PORT=80000"), e.getMessage());
        assertEquals(2, e.exitCode());
    }

    @Test
    void epochRowsFollowTheHeader() throws Exception {
        String row = EpochTable.row(JSON.readValue("""
                {"epoch": 10, "trainLoss": 0.44731, "trainAccuracy": 0.8481, "testAccuracy": 0.8329,
                 "seconds": 0.4123, "modelVersion": 10}""", TrainingStatus.HistoryEntry.class));
        assertEquals("   10      0.4473     0.8481    0.8329     0.41  v10", row);
        assertEquals(EpochTable.HEADER.indexOf("model") , row.indexOf("v10"));
    }

    @Test
    void ingestProgressIsOneLine() throws Exception {
        assertEquals("publishing 2560/70000 images (9100 images/s)", Orchestrator.describe(JSON.readValue("""
                {"state": "PUBLISHING", "publishedImages": 2560, "totalImages": 70000, "imagesPerSecond": 9100.2, "error": null}""",
                PublishStatus.class)));
        assertEquals("succeeded 0/70000 images (0 images/s), 70000 already on the topics", Orchestrator.describe(JSON.readValue("""
                {"state": "SUCCEEDED", "publishedImages": 0, "totalImages": 70000, "skippedImages": 70000, "imagesPerSecond": 0}""",
                PublishStatus.class)));
        assertTrue(Orchestrator.describe(JSON.readValue("""
                {"state": "FAILED", "publishedImages": 0, "totalImages": 0, "error": "no data found"}""",
                PublishStatus.class)).endsWith(": no data found"));
        assertEquals("waiting_for_kafka 5120/70000 images (0 images/s): Kafka unavailable (timeout); retry 3 in 4 s",
                Orchestrator.describe(JSON.readValue("""
                {"state": "WAITING_FOR_KAFKA", "publishedImages": 5120, "totalImages": 70000, "imagesPerSecond": 0,
                 "waitingFor": "Kafka unavailable (timeout); retry 3 in 4 s", "error": null}""", PublishStatus.class)));
    }

    @Test
    void badCommandLinesExitWithUsage() {
        Settings s = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(s, List.of(), out, out));
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("usage: ./fmnist"));
        assertRefused(s, "Missing required subcommand");
        assertRefused(s, "Unmatched argument at index 0: 'launch'", "launch");
        assertRefused(s, "'--epochs': 'zero' is not a positive whole number", "up", "--epochs", "zero");
        assertRefused(s, "Unknown option: '--detached'", "up", "--detached");
        assertRefused(s, "Missing required parameter: 'FILE'", "classify");
        assertRefused(s, "fmnist: unknown component 'zookeeper'", "logs", "zookeeper");
        assertRefused(s, "'-n': '0' is not a positive whole number", "logs", "-n", "0");
        assertRefused(s, "Unknown option: '-x'", WatchdogProcess.COMMAND, "-x");
        assertRefused(s, "option '--model' (FAMILY): unknown model family 'resnet': give one of [softmax, mlp, cnn]",
                "up", "--model", "resnet");
        assertRefused(s, "unknown model family ''", "up", "--model=softmax,,cnn");
    }

    @Test
    void helpShowsTheCommandsAndEachCommandsOptions() {
        Settings s = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(s, List.of("help"), out, out));
        String usage = buf.toString(StandardCharsets.UTF_8);
        for (String command : List.of("up", "down", "status", "classify", "logs", "FMNIST_HOME")) {
            assertTrue(usage.contains(command), usage);
        }
        assertFalse(usage.contains(WatchdogProcess.COMMAND), "the supervisor's command is hidden: " + usage);
        buf.reset();
        assertEquals(0, Main.run(s, List.of("help", "up"), out, out));
        usage = buf.toString(StandardCharsets.UTF_8);
        for (String option : List.of("usage: ./fmnist up", "--detach", "--fresh", "--secure", "--epochs=N", "--first-model",
                "--model=FAMILY[,FAMILY...]", "softmax,cnn")) {
            assertTrue(usage.contains(option), usage);
        }
    }

    @Test
    void modelOptionParsesFamiliesByIdOrModelNameInOrder() {
        Settings s = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        UpCommand.Args both = CommandLine.populateCommand(new UpCommand.Args(), "--model", "softmax,FMNIST-CNN");
        assertEquals(List.of(ModelFamily.SOFTMAX, ModelFamily.CNN), both.models());
        assertEquals(List.of(ModelFamily.SOFTMAX, ModelFamily.CNN), both.options(s).models());
        assertTrue(both.forSupervisor().contains("--model=softmax,cnn"), both.forSupervisor()::toString);
        UpCommand.Args repeated = CommandLine.populateCommand(new UpCommand.Args(), "--model=cnn", "--model", "mlp,cnn");
        assertEquals(List.of(ModelFamily.CNN, ModelFamily.MLP), repeated.models(), "each family once, first mention first");
        UpCommand.Args none = CommandLine.populateCommand(new UpCommand.Args(), "--epochs", "2");
        assertEquals(List.of(), none.models());
        assertEquals(List.of(), none.options(s).models());
        assertFalse(none.forSupervisor().stream().anyMatch(a -> a.startsWith("--model")), none.forSupervisor()::toString);
        // the supervisor of up -d parses what it is given back to the same families
        UpCommand.Args supervised = CommandLine.populateCommand(new UpCommand.Args(), both.forSupervisor().toArray(String[]::new));
        assertEquals(both.models(), supervised.models());
    }

    @Test
    void modelEnvironmentConfiguresTrainerInferenceAndConsole() {
        List<ModelFamily> families = List.of(ModelFamily.CNN, ModelFamily.SOFTMAX);
        assertEquals(Map.of("FMNIST_TRAINER_MODELS", "cnn,softmax"), Orchestrator.modelEnvironment(Component.TRAINER, families));
        assertEquals(Map.of("FMNIST_INFERENCE_MODELS", "cnn,softmax", "FMNIST_INFERENCE_DEFAULT_MODEL", "cnn"),
                Orchestrator.modelEnvironment(Component.INFERENCE, families));
        assertEquals(Map.of("FMNIST_CONSOLE_MODELS", "cnn,softmax"), Orchestrator.modelEnvironment(Component.CONSOLE, families));
        assertEquals(Map.of(), Orchestrator.modelEnvironment(Component.INGEST, families));
        assertEquals(Map.of(), Orchestrator.modelEnvironment(Component.KAFKA, families));
        for (Component c : Component.values()) {
            assertEquals(Map.of(), Orchestrator.modelEnvironment(c, List.of()), c + " keeps its own configuration");
        }
    }

    @Test
    void oneModelIsDoneWhenItsLastSnapshotServesOrWasRefused() throws Exception {
        var options = new Orchestrator.Options(true, false, java.util.Optional.of(12), 0, 0, false, Map.of(),
                Orchestrator.Options.DEFAULT_TIMEOUT, java.util.Optional.empty(), List.of());
        var completed = java.util.Optional.of(JSON.readValue("""
                {"state": "COMPLETED", "modelName": "fmnist-softmax", "epoch": 12, "plannedEpochs": 12, "modelVersion": 12}""",
                TrainingStatus.class));
        Map<Long, String> states = new java.util.HashMap<>();
        java.util.function.LongFunction<java.util.Optional<ModelInfo>> judged = v -> java.util.Optional.ofNullable(
                states.get(v)).map(state -> new ModelInfo("fmnist-softmax", v, (int) v, 0, 0.8, 0.45, 0.85, null, null,
                null, List.of(), false, false, state, "a reason", null));
        ModelInfo v10 = model("fmnist-softmax", 10, 10);
        assertFalse(Orchestrator.trainingDone(completed, v10, options, judged), "v12 not judged yet");
        states.put(12L, "candidate");
        assertFalse(Orchestrator.trainingDone(completed, v10, options, judged), "v12 still a candidate");
        states.put(12L, "refused");
        assertTrue(Orchestrator.trainingDone(completed, v10, options, judged), "v12 refused: v10 keeps serving");
        assertTrue(Orchestrator.trainingDone(completed, model("fmnist-softmax", 12, 12), options, v -> java.util.Optional.empty()));
    }

    @Test
    void severalModelsAreDoneWhenTheTrainerEndedAndEveryModelServesThePlannedEpoch() throws Exception {
        var two = new Orchestrator.Options(true, false, java.util.Optional.of(10), 0, 0, false, Map.of(),
                Orchestrator.Options.DEFAULT_TIMEOUT, java.util.Optional.empty(), List.of(ModelFamily.SOFTMAX, ModelFamily.CNN));
        var completed = java.util.Optional.of(JSON.readValue("""
                {"state": "COMPLETED", "modelName": "fmnist-cnn", "epoch": 10, "plannedEpochs": 10, "modelVersion": 10}""",
                TrainingStatus.class));
        var training = java.util.Optional.of(JSON.readValue("""
                {"state": "TRAINING", "modelName": "fmnist-cnn", "epoch": 9, "plannedEpochs": 10, "modelVersion": 9}""",
                TrainingStatus.class));
        Map<String, ModelInfo> served = new java.util.HashMap<>();
        served.put("fmnist-softmax", model("fmnist-softmax", 10, 10));
        assertFalse(Orchestrator.everyModelDone(completed, two, name -> java.util.Optional.ofNullable(served.get(name))),
                "cnn not served yet");
        served.put("fmnist-cnn", model("fmnist-cnn", 9, 9));
        assertFalse(Orchestrator.everyModelDone(completed, two, name -> java.util.Optional.ofNullable(served.get(name))),
                "cnn served short of the planned epoch");
        served.put("fmnist-cnn", model("fmnist-cnn", 10, 10));
        assertTrue(Orchestrator.everyModelDone(completed, two, name -> java.util.Optional.ofNullable(served.get(name))));
        assertFalse(Orchestrator.everyModelDone(training, two, name -> java.util.Optional.ofNullable(served.get(name))),
                "the trainer still runs");
        var first = new Orchestrator.Options(true, false, java.util.Optional.of(10), 0, 0, true, Map.of(),
                Orchestrator.Options.DEFAULT_TIMEOUT, java.util.Optional.empty(), List.of(ModelFamily.SOFTMAX, ModelFamily.CNN));
        assertTrue(Orchestrator.everyModelDone(java.util.Optional.empty(), first,
                name -> java.util.Optional.ofNullable(name.equals("fmnist-cnn") ? model(name, 1, 1) : null)), "--first-model: any one");
        var failed = java.util.Optional.of(JSON.readValue("""
                {"state": "FAILED", "detail": "out of memory", "epoch": 3, "plannedEpochs": 10}""", TrainingStatus.class));
        CliException e = assertThrows(CliException.class, () -> Orchestrator.everyModelDone(failed, two, name -> java.util.Optional.empty()));
        assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
    }

    private static ModelInfo model(String name, long version, int epoch) {
        try {
            return JSON.readValue("{\"modelName\": \"" + name + "\", \"version\": " + version + ", \"epoch\": " + epoch + "}",
                    ModelInfo.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A bad command line exits 2 and says why on the error stream. */
    private static void assertRefused(Settings s, String why, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, Main.run(s, List.of(args), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8)), String.join(" ", args));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(why), err::toString);
    }

    @Test
    void downAndStatusWithNothingRunning() {
        Settings s = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(s, List.of("down"), out, out));
        assertEquals(0, Main.run(s, List.of("status"), out, out));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("nothing was running"), text);
        assertTrue(text.contains("nothing is running"), text);
        assertFalse(new Supervisor(s).anyRunning());
    }

    @Test
    void aTakenPortIsReportedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Settings s = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home)
                    .withExternalBootstrap("localhost:1")
                    .withPorts(taken.getLocalPort(), 0, 0).withConsolePort(0); // not a default port another run may hold
            var options = new Orchestrator.Options(true, false, java.util.Optional.empty(), 0, 0, false, Map.of(),
                    Orchestrator.Options.DEFAULT_TIMEOUT);
            CliException e = assertThrows(CliException.class,
                    () -> new Orchestrator(s, new PrintStream(new ByteArrayOutputStream())).up(options));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " for inference"), e.getMessage());
            assertFalse(new Supervisor(s).anyRunning());
        }
    }
}
