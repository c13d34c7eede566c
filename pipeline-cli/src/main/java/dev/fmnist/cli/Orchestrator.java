package dev.fmnist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code ./fmnist up}: starts the broker, the three services and the console, publishes
 * Fashion-MNIST, prints the epoch table as training goes, and ends with the inference service
 * serving the final model.
 */
public final class Orchestrator {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Path DEBIAN_DATA = Path.of("/usr/share/datasets/fashion-mnist");
    private static final List<Component> SERVICES = List.of(Component.INFERENCE, Component.TRAINER, Component.INGEST,
            Component.CONSOLE);

    /**
     * @param detach     return once the model serves, leaving the pipeline running
     * @param fresh      wipe the broker's data (topics, snapshots) and logs first
     * @param epochs     epochs to train (the trainer's default, 10, when empty)
     * @param trainLimit publish only the first N train images (0 = all)
     * @param testLimit  publish only the first N test images (0 = all)
     * @param firstModel return at the first served model instead of the final one
     * @param extra      extra -D properties per component
     * @param timeout    how long publishing and training may take before up gives up
     */
    public record Options(boolean detach, boolean fresh, Optional<Integer> epochs, int trainLimit, int testLimit,
                          boolean firstModel, Map<Component, Map<String, String>> extra, Duration timeout) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
    }

    /** What a finished {@code up} knows about the served model. */
    public record Result(long modelVersion, int epoch, double trainLoss, double testAccuracy, List<JsonNode> history) {
    }

    private final Settings settings;
    private final Supervisor supervisor;
    private final PipelineClient client;
    private final PrintStream out;
    private Credentials credentials;

    public Orchestrator(Settings settings, PrintStream out) {
        this.settings = settings;
        this.supervisor = new Supervisor(settings);
        this.client = new PipelineClient(settings);
        this.out = out;
    }

    public Supervisor supervisor() {
        return supervisor;
    }

    public Result up(Options options) {
        if (supervisor.anyRunning()) {
            throw new CliException("a run is already up (see ./fmnist status); stop it with ./fmnist down", 1);
        }
        supervisor.cleanStale();
        if (options.fresh()) {
            deleteTree(settings.kafkaData());
            deleteTree(settings.logs());
            out.println("fresh start: broker data and logs removed");
        }
        checkPorts();
        credentials = Credentials.ensure(settings.home());
        Optional<Path> data = locateData();
        boolean ok = false;
        try {
            startBroker();
            startService(Component.INFERENCE, withExtra(options, Component.INFERENCE, Map.of()));
            Map<String, String> trainer = new TreeMap<>();
            options.epochs().ifPresent(e -> trainer.put("fmnist.trainer.epochs", Integer.toString(e)));
            startService(Component.TRAINER, withExtra(options, Component.TRAINER, trainer));
            Map<String, String> ingest = new TreeMap<>();
            ingest.put("fmnist.ingest.publish-on-start", "true");
            data.ifPresent(d -> ingest.put("fmnist.ingest.data-dir", d.toString()));
            if (options.trainLimit() > 0) {
                ingest.put("fmnist.ingest.train-limit", Integer.toString(options.trainLimit()));
            }
            if (options.testLimit() > 0) {
                ingest.put("fmnist.ingest.test-limit", Integer.toString(options.testLimit()));
            }
            startService(Component.INGEST, withExtra(options, Component.INGEST, ingest));
            startService(Component.CONSOLE, withExtra(options, Component.CONSOLE, Map.of(
                    "fmnist.console.inference-url", settings.baseUrl(Component.INFERENCE),
                    "fmnist.console.trainer-url", settings.baseUrl(Component.TRAINER),
                    "fmnist.console.ingest-url", settings.baseUrl(Component.INGEST))));
            for (Component c : SERVICES) {
                awaitLive(c);
            }
            out.println(consoleLine(settings));
            Result result = followTraining(options);
            ok = true;
            return result;
        } finally {
            if (!ok) {
                out.println("stopping what was started (logs in " + settings.logs() + ")");
                supervisor.stopAll();
            }
        }
    }

    private static Map<String, String> withExtra(Options options, Component c, Map<String, String> properties) {
        Map<String, String> all = new TreeMap<>(properties);
        all.putAll(options.extra().getOrDefault(c, Map.of()));
        return all;
    }

    private void checkPorts() {
        Map<String, Integer> ports = new TreeMap<>();
        if (settings.externalBootstrap().isEmpty()) {
            ports.put("kafka (FMNIST_KAFKA_PORT)", settings.kafkaPort());
            ports.put("kafka controller (FMNIST_KAFKA_CONTROLLER_PORT)", settings.controllerPort());
        }
        ports.put("inference (FMNIST_INFERENCE_PORT)", settings.inferencePort());
        ports.put("ingest (FMNIST_INGEST_PORT)", settings.ingestPort());
        ports.put("trainer (FMNIST_TRAINER_PORT)", settings.trainerPort());
        ports.put("console (FMNIST_CONSOLE_PORT)", settings.consolePort());
        for (var e : ports.entrySet()) {
            if (!Supervisor.portFree(e.getValue())) {
                throw new CliException("port " + e.getValue() + " for " + e.getKey()
                        + " is taken: free it or set the variable to another port");
            }
        }
    }

    /** The data folder to hand to ingest, or empty when ingest must download it. */
    private Optional<Path> locateData() {
        if (settings.dataDir().isPresent()) {
            Path d = settings.dataDir().get();
            if (!dev.fmnist.contracts.idx.FashionMnistData.isComplete(d)) {
                throw new CliException("FMNIST_DATA_DIR=" + d + " does not hold the four Fashion-MNIST files "
                        + dev.fmnist.contracts.idx.FashionMnistData.FILES);
            }
            out.println("data: " + d);
            return Optional.of(d);
        }
        if (dev.fmnist.contracts.idx.FashionMnistData.isComplete(DEBIAN_DATA)) {
            out.println("data: " + DEBIAN_DATA + " (Debian's dataset-fashion-mnist)");
            return Optional.of(DEBIAN_DATA);
        }
        out.println("data: not found locally; ingest will download it (set FMNIST_DATA_DIR to use a local copy)");
        return Optional.empty();
    }

    private void startBroker() {
        if (settings.externalBootstrap().isPresent()) {
            out.println("kafka: using " + settings.externalBootstrap().get());
            return;
        }
        Path target = settings.brokerClasspathDir();
        String cp = target.resolve("lib") + "/*:" + target.resolve("kafka-broker-" + version() + ".jar");
        List<String> cmd = List.of(java(), "-Xmx384m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true", "-cp", cp, "dev.fmnist.broker.LocalKafkaMain",
                "--data", settings.kafkaData().toString(), "--port", Integer.toString(settings.kafkaPort()),
                "--controller-port", Integer.toString(settings.controllerPort()));
        long logStart = size(settings.log(Component.KAFKA));
        ProcessHandle p = supervisor.start(Component.KAFKA, cmd);
        out.print("kafka: starting on localhost:" + settings.kafkaPort() + " ");
        await(Component.KAFKA, p, () -> logContains(Component.KAFKA, logStart, "ready bootstrap="), START_TIMEOUT);
        out.println("ready");
    }

    private void startService(Component c, Map<String, String> properties) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        // Heaps sized for the work (measured with pipeline-cli/bench/memory.sh), so a long run does not
        // grow them toward a default quarter of the machine's memory: inference holds a few 31 KB models
        // and its decode budget (a quarter of the heap); ingest streams uploads (784 B per image); the
        // trainer holds 47 MB of pixels plus the test split and libtorch's own native memory.
        cmd.add(switch (c) {
            case INGEST -> "-Xmx384m";
            case CONSOLE -> "-Xmx384m"; // the test split (7.8 MB) and 50 snapshots (1.6 MB) at most
            case INFERENCE -> "-Xmx384m";
            default -> "-Xmx1g";
        });
        if (c == Component.INFERENCE) {
            // Short stop-the-world young collections keep the latency tail low (see the inference benchmark).
            cmd.add("-XX:+UseParallelGC");
        }
        cmd.add("-Dquarkus.http.port=" + settings.httpPort(c));
        cmd.add("-Dquarkus.http.host=" + settings.bindHost());
        cmd.add("-Dkafka.bootstrap.servers=" + settings.bootstrapServers());
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(settings.serviceJar(c).toString());
        supervisor.start(c, cmd, credentials.environment(c));
    }

    private void awaitLive(Component c) {
        ProcessHandle p = supervisor.running(c).orElseThrow(() -> died(c));
        out.print(c.id() + ": starting on " + settings.baseUrl(c) + " ");
        await(c, p, () -> client.live(c), START_TIMEOUT);
        out.println("up");
    }

    /** The line that tells where the console is. */
    static String consoleLine(Settings settings) {
        return "console: " + settings.baseUrl(Component.CONSOLE) + "/";
    }

    private Result followTraining(Options options) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        int printed = 0;
        String lastIngest = "";
        boolean headerShown = false;
        while (System.nanoTime() < deadline) {
            for (Component c : SERVICES) {
                if (supervisor.running(c).isEmpty()) {
                    throw died(c);
                }
            }
            String ingest = ingestProgress();
            if (!ingest.isEmpty() && !ingest.equals(lastIngest)) {
                out.println("ingest: " + ingest);
                lastIngest = ingest;
                if (ingest.startsWith("failed")) {
                    throw new CliException("publishing Fashion-MNIST failed: " + ingest.substring(ingest.indexOf(':') + 1).trim()
                            + " (./fmnist logs ingest)");
                }
            }
            Optional<JsonNode> training = client.training();
            if (training.isPresent()) {
                JsonNode history = training.get().path("history");
                if (history.size() > printed && !headerShown) {
                    out.println();
                    out.println(EpochTable.HEADER);
                    headerShown = true;
                }
                for (int i = printed; i < history.size(); i++) {
                    out.println(EpochTable.row(history.get(i)));
                }
                printed = history.size();
            }
            Optional<JsonNode> model = client.model();
            if (model.isPresent() && trainingDone(training, model.get(), options)) {
                JsonNode m = model.get();
                List<JsonNode> hist = new ArrayList<>();
                training.ifPresent(t -> t.path("history").forEach(hist::add));
                return new Result(m.path("version").asLong(), m.path("epoch").asInt(),
                        m.path("trainLoss").asDouble(Double.NaN), m.path("testAccuracy").asDouble(Double.NaN), hist);
            }
            sleep(500);
        }
        throw new CliException("training did not finish within " + options.timeout().toMinutes()
                + " minutes (see ./fmnist logs)");
    }

    /**
     * Done when the trainer has finished its planned epochs (COMPLETED, or CONTINUOUS when it goes on
     * with streamed images) and the served model is its latest snapshot.
     */
    private static boolean trainingDone(Optional<JsonNode> training, JsonNode model, Options options) {
        if (options.firstModel()) {
            return true;
        }
        if (training.isEmpty()) {
            return false;
        }
        JsonNode t = training.get();
        String state = t.path("state").asText("");
        if (state.equals("FAILED")) {
            throw new CliException("training failed: " + t.path("detail").asText("(no detail)") + " (./fmnist logs trainer)");
        }
        boolean finished = state.equals("COMPLETED") || state.equals("CONTINUOUS");
        int planned = options.epochs().orElse(t.path("plannedEpochs").asInt(10));
        return finished && t.path("epoch").asInt() >= planned && t.path("modelVersion").asLong() > 0
                && model.path("version").asLong() >= t.path("modelVersion").asLong();
    }

    private String ingestProgress() {
        return client.get(Component.INGEST, "/api/v1/datasets/fashion-mnist/publish")
                .filter(PipelineClient.Answer::ok)
                .map(a -> a.body() == null ? "" : describe(a.body()))
                .orElse("");
    }

    /** One progress line from ingest's publication status. */
    static String describe(JsonNode status) {
        String line = String.format(java.util.Locale.ROOT, "%s %d/%d images (%.0f images/s)",
                status.path("state").asText("?").toLowerCase(java.util.Locale.ROOT),
                status.path("publishedImages").asLong(), status.path("totalImages").asLong(),
                status.path("imagesPerSecond").asDouble());
        long skipped = status.path("skippedImages").asLong();
        if (skipped > 0) {
            line += ", " + skipped + " already on the topics";
        }
        JsonNode error = status.path("error");
        return error.isMissingNode() || error.isNull() ? line : line + ": " + error.asText();
    }

    private void await(Component c, ProcessHandle p, BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int dots = 0;
        while (!ready.getAsBoolean()) {
            if (!p.isAlive()) {
                throw died(c);
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(c.id() + " did not come up within " + timeout.toSeconds() + " s; last log lines:\n"
                        + supervisor.tail(c, 15));
            }
            if (++dots % 4 == 0) {
                out.print('.');
                out.flush();
            }
            sleep(250);
        }
    }

    private CliException died(Component c) {
        return new CliException(c.id() + " exited; last lines of " + settings.log(c) + ":\n" + supervisor.tail(c, 15));
    }

    /** Whether the log, from byte {@code from} on (this start's part), contains the text. */
    private boolean logContains(Component c, long from, String text) {
        try {
            byte[] all = Files.readAllBytes(settings.log(c));
            String fresh = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    java.nio.charset.StandardCharsets.UTF_8);
            return fresh.contains(text) && Supervisor.listening("localhost", settings.kafkaPort());
        } catch (IOException e) {
            return false;
        }
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String version() {
        String v = Orchestrator.class.getPackage().getImplementationVersion();
        return v != null ? v : System.getProperty("fmnist.version", "0.1.0-SNAPSHOT");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
