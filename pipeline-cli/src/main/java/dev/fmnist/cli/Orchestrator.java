package dev.fmnist.cli;

import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.PublishStatus;
import dev.fmnist.api.TrainingStatus;
import dev.fmnist.contracts.model.ModelFamily;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
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
     * @param kafka      a secured Kafka (SASL_SSL, a principal per component), or empty for plaintext
     * @param models     the model families to train and serve, the first one the default route; empty: the
     *                   services' own configuration (softmax unless their environment says otherwise)
     * @param brokers    1 (one broker) or 3 (a local KRaft cluster, {@link Brokers})
     */
    public record Options(boolean detach, boolean fresh, Optional<Integer> epochs, int trainLimit, int testLimit,
                          boolean firstModel, Map<Component, Map<String, String>> extra, Duration timeout,
                          Optional<KafkaSecurity> kafka, List<ModelFamily> models, int brokers) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

        public Options {
            models = List.copyOf(models);
        }

        public Options(boolean detach, boolean fresh, Optional<Integer> epochs, int trainLimit, int testLimit,
                       boolean firstModel, Map<Component, Map<String, String>> extra, Duration timeout,
                       Optional<KafkaSecurity> kafka, List<ModelFamily> models) {
            this(detach, fresh, epochs, trainLimit, testLimit, firstModel, extra, timeout, kafka, models, 1);
        }

        public Options(boolean detach, boolean fresh, Optional<Integer> epochs, int trainLimit, int testLimit,
                       boolean firstModel, Map<Component, Map<String, String>> extra, Duration timeout,
                       Optional<KafkaSecurity> kafka) {
            this(detach, fresh, epochs, trainLimit, testLimit, firstModel, extra, timeout, kafka, List.of());
        }

        public Options(boolean detach, boolean fresh, Optional<Integer> epochs, int trainLimit, int testLimit,
                       boolean firstModel, Map<Component, Map<String, String>> extra, Duration timeout) {
            this(detach, fresh, epochs, trainLimit, testLimit, firstModel, extra, timeout, Optional.empty());
        }
    }

    /** What a finished {@code up} knows about the served model. */
    public record Result(long modelVersion, int epoch, double trainLoss, double testAccuracy,
                         List<TrainingStatus.HistoryEntry> history) {
    }

    private final Settings settings;
    private final Supervisor supervisor;
    private final Optional<Watchdog> watchdog;
    private final PipelineClient client;
    private final PrintStream out;
    private final Map<Component, Launch> launches = new EnumMap<>(Component.class);
    private final Map<Component, Process> processes = new EnumMap<>(Component.class);
    private Credentials credentials;
    private Optional<KafkaSecurity> kafka = Optional.empty();
    private List<ModelFamily> models = List.of();
    private Brokers brokers = Brokers.SINGLE;

    /** Without supervision: a component that exits ends {@code up} (the integration tests' way). */
    public Orchestrator(Settings settings, PrintStream out) {
        this(settings, out, new Supervisor(settings), Optional.empty());
    }

    /**
     * @param watchdog once every component is live, it restarts one that exits; while training is followed,
     *                 only a crash-looping component ends {@code up}
     */
    public Orchestrator(Settings settings, PrintStream out, Supervisor supervisor, Optional<Watchdog> watchdog) {
        this.settings = settings;
        this.supervisor = supervisor;
        this.watchdog = watchdog;
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
        kafka = options.kafka();
        models = options.models();
        if (options.fresh()) {
            fresh();
        }
        if (options.brokers() > 1 && (kafka.isPresent() || settings.externalBootstrap().isPresent())) {
            throw new CliException("--brokers " + options.brokers() + " starts a plaintext cluster here: not with --secure"
                    + " nor FMNIST_BOOTSTRAP_SERVERS", 2);
        }
        brokers = Brokers.of(settings, options.brokers());
        checkPorts();
        brokers.record(settings);
        for (Component c : brokers.components()) {
            supervisor.release(c); // a new run: no broker is held down by an earlier kill-broker
        }
        credentials = Credentials.ensure(settings.home());
        Optional<Path> data = locateData();
        boolean ok = false;
        try {
            startBrokers();
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
            watchdog.ifPresent(w -> launches.forEach((c, launch) -> w.watch(c, launch, processes.get(c))));
            out.println(consoleLine(settings));
            Result result = followTraining(options);
            ok = true;
            return result;
        } finally {
            if (!ok) {
                watchdog.ifPresent(Watchdog::stop);
                out.println("stopping what was started (logs in " + settings.logs() + ")");
                supervisor.stopAll();
            }
        }
    }

    /** {@code --fresh}: deletes the brokers' data (plaintext, secured, cluster) and the logs. */
    public void fresh() {
        deleteTree(settings.kafkaData());
        deleteTree(settings.clusterHome());
        deleteTree(settings.home().resolve(KafkaSecurity.DATA_FOLDER));
        deleteTree(settings.logs());
        out.println("fresh start: broker data and logs removed");
    }

    /** Starts a component and remembers how, for the watchdog. */
    private Process start(Component c, Launch launch) {
        Process p = supervisor.start(c, launch);
        launches.put(c, launch);
        processes.put(c, p);
        return p;
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
            for (int n = 2; n <= brokers.count(); n++) {
                ports.put("kafka node " + n + " (FMNIST_KAFKA_PORT + " + 2 * (n - 1) + ")", settings.brokerPort(n));
                ports.put("kafka node " + n + " controller (FMNIST_KAFKA_CONTROLLER_PORT + " + 2 * (n - 1) + ")",
                        settings.brokerControllerPort(n));
            }
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

    /**
     * Starts the broker, or the cluster's nodes all at once (a node is ready only once a quorum of them runs and,
     * the first time, once enough of them have registered to create the topics with 3 replicas).
     */
    private void startBrokers() {
        if (settings.externalBootstrap().isPresent()) {
            out.println("kafka: using " + settings.externalBootstrap().get());
            return;
        }
        Map<Component, Long> logStarts = new EnumMap<>(Component.class);
        Map<Component, ProcessHandle> started = new EnumMap<>(Component.class);
        for (Component c : brokers.components()) {
            logStarts.put(c, size(settings.log(c)));
            started.put(c, start(c, brokerLaunch(c)).toHandle());
        }
        out.print(brokers.isCluster() ? "kafka: starting " + brokers.count() + " brokers on " + settings.bootstrapServers(brokers.count())
                + " (replication factor " + brokers.replicationFactor() + ", min.insync.replicas " + brokers.minInsyncReplicas() + ") "
                : "kafka: starting on localhost:" + settings.kafkaPort() + " ");
        started.forEach((c, p) -> await(c, p, () -> logContains(c, logStarts.get(c), "ready bootstrap="), START_TIMEOUT));
        out.println("ready");
        kafka.ifPresent(k -> out.println(kafkaLine(k)));
    }

    /** How broker {@code c} is started: the run's own broker process with its data folder and ports. */
    private Launch brokerLaunch(Component c) {
        Path target = settings.brokerClasspathDir();
        String cp = target.resolve("lib") + "/*:" + target.resolve("kafka-broker-" + version() + ".jar");
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(JvmOptions.of(c));
        cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp", cp, "dev.fmnist.broker.LocalKafkaMain"));
        if (kafka.isPresent()) {
            cmd.addAll(List.of("--data", settings.home().resolve(KafkaSecurity.DATA_FOLDER).toString(),
                    "--port", Integer.toString(settings.kafkaPort()),
                    "--controller-port", Integer.toString(settings.controllerPort()),
                    "--secure", kafka.get().secretsDir().toString()));
        } else {
            cmd.addAll(brokers.brokerArguments(settings, c));
        }
        return new Launch(cmd, JvmOptions.ENVIRONMENT);
    }

    private void startService(Component c, Map<String, String> properties) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(JvmOptions.of(c)); // heaps sized for the work, the same caps for all (docs/operations.md)
        cmd.add("-Dquarkus.http.port=" + settings.httpPort(c));
        cmd.add("-Dquarkus.http.host=" + settings.bindHost());
        cmd.add("-Dkafka.bootstrap.servers=" + settings.bootstrapServers(brokers.count()));
        brokers.topicProperties().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(settings.serviceJar(c).toString());
        Map<String, String> environment = new TreeMap<>(JvmOptions.ENVIRONMENT);
        environment.putAll(credentials.environment(c));
        kafka.ifPresent(k -> environment.putAll(k.environment(c)));
        environment.putAll(modelEnvironment(c, models));
        start(c, new Launch(cmd, environment));
    }

    /**
     * The variables that make a component train, serve or follow these model families ({@code up --model}),
     * the first one being inference's default route; none when the list is empty (the services' defaults).
     * In the environment, as compose and Kubernetes set them, so a restart by the watchdog keeps them.
     */
    static Map<String, String> modelEnvironment(Component c, List<ModelFamily> models) {
        if (models.isEmpty()) {
            return Map.of();
        }
        String ids = String.join(",", models.stream().map(ModelFamily::id).toList());
        return switch (c) {
            case TRAINER -> Map.of("FMNIST_TRAINER_MODELS", ids);
            case INFERENCE -> Map.of("FMNIST_INFERENCE_MODELS", ids, "FMNIST_INFERENCE_DEFAULT_MODEL", models.get(0).id());
            case CONSOLE -> Map.of("FMNIST_CONSOLE_MODELS", ids);
            case INGEST, KAFKA, KAFKA_2, KAFKA_3 -> Map.of();
        };
    }

    private void awaitLive(Component c) {
        ProcessHandle p = supervisor.running(c).orElseThrow(() -> died(c));
        out.print(c.id() + ": starting on " + settings.baseUrl(c) + " ");
        await(c, p, () -> client.live(c), START_TIMEOUT);
        out.println("up");
    }

    /** How an outside client connects to the secured broker. */
    static String kafkaLine(KafkaSecurity k) {
        return "kafka: SASL_SSL only (SCRAM-SHA-512), one principal per service; a client connects with "
                + k.clientProperties() + " (CA " + k.caCertificate() + ")";
    }

    /** The line that tells where a cluster's brokers are and how to drill with them. */
    static String clusterLine(Settings settings, int brokers) {
        return "kafka: " + brokers + " brokers " + settings.bootstrapServers(brokers) + " (replication factor " + brokers
                + ", min.insync.replicas " + (brokers - 1) + "); drills: ./fmnist kill-broker N (SIGKILL, left down), "
                + "./fmnist start-broker N";
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
        String lastModel = null;
        while (System.nanoTime() < deadline) {
            checkAlive();
            Optional<PublishStatus> publication = client.publication();
            String ingest = publication.map(Orchestrator::describe).orElse("");
            if (!ingest.isEmpty() && !ingest.equals(lastIngest)) {
                out.println("ingest: " + ingest);
                lastIngest = ingest;
                if (publication.get().state() == PublishStatus.State.FAILED) {
                    String error = publication.get().error();
                    throw new CliException("publishing Fashion-MNIST failed: " + (error == null ? ingest : error)
                            + " (./fmnist logs ingest)");
                }
            }
            Optional<TrainingStatus> training = client.training();
            if (training.isPresent()) {
                List<TrainingStatus.HistoryEntry> history = training.get().history();
                String runOf = training.get().modelName();
                if (options.models().size() > 1 && runOf != null && !runOf.equals(lastModel)) {
                    // several families are trained one run after the other: a table per run, named
                    out.println();
                    out.println("trainer: training " + runOf);
                    lastModel = runOf;
                    printed = 0;
                    headerShown = false;
                }
                if (history.size() < printed) {
                    printed = 0; // a new run's history
                    headerShown = false;
                }
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
            Optional<ModelInfo> model = client.model();
            boolean done = options.models().size() > 1
                    ? model.isPresent() && everyModelDone(training, options, client::model)
                    : model.isPresent() && trainingDone(training, model.get(), options);
            if (done) {
                ModelInfo m = model.get();
                return new Result(m.version(), m.epoch(), orNaN(m.trainLoss()), orNaN(m.testAccuracy()),
                        training.map(TrainingStatus::history).orElse(List.of()));
            }
            sleep(500);
        }
        throw new CliException("training did not finish within " + options.timeout().toMinutes()
                + " minutes (see ./fmnist logs)");
    }

    /**
     * Without a watchdog any component that exited ends {@code up}; with one, it is restarted and only
     * one that crash-loops does.
     */
    private void checkAlive() {
        if (watchdog.isPresent()) {
            Optional<Component> looping = watchdog.get().crashLooping().stream().findFirst();
            if (looping.isPresent()) {
                Component c = looping.get();
                throw new CliException(c.id() + " keeps exiting (crash-looping); last lines of " + settings.log(c) + ":\n"
                        + supervisor.tail(c, 15));
            }
            return;
        }
        for (Component c : SERVICES) {
            if (supervisor.running(c).isEmpty()) {
                throw died(c);
            }
        }
    }

    /**
     * Done when the trainer has finished its planned epochs (COMPLETED, or CONTINUOUS when it goes on
     * with streamed images) and the served model is its latest snapshot.
     */
    private static TrainingStatus requireNotFailed(TrainingStatus t) {
        if (TrainingStatus.FAILED.equals(t.state())) {
            throw new CliException("training failed: " + (t.detail() == null ? "(no detail)" : t.detail())
                    + " (./fmnist logs trainer)");
        }
        return t;
    }

    private static boolean trainingDone(Optional<TrainingStatus> training, ModelInfo model, Options options) {
        if (options.firstModel()) {
            return true;
        }
        if (training.isEmpty()) {
            return false;
        }
        TrainingStatus t = requireNotFailed(training.get());
        boolean finished = TrainingStatus.COMPLETED.equals(t.state()) || TrainingStatus.CONTINUOUS.equals(t.state());
        int planned = options.epochs().orElse(t.plannedEpochs());
        return finished && t.epoch() >= planned && t.modelVersion() > 0 && model.version() >= t.modelVersion();
    }

    /**
     * With several families ({@code up --model softmax,cnn}): done when the trainer's runs have ended (its
     * state COMPLETED or CONTINUOUS) and inference serves every family at the planned epoch; with
     * {@code --first-model}, as soon as any of them serves. The trainer's own version or epoch is not compared
     * with one model's: it trains the families one run after another.
     *
     * @param served the model inference serves under a name ({@code ?model=NAME}), if any
     */
    static boolean everyModelDone(Optional<TrainingStatus> training, Options options,
                                  java.util.function.Function<String, Optional<ModelInfo>> served) {
        if (options.firstModel()) {
            return options.models().stream().anyMatch(f -> served.apply(f.modelName()).isPresent());
        }
        if (training.isEmpty()) {
            return false;
        }
        TrainingStatus t = requireNotFailed(training.get());
        if (!TrainingStatus.COMPLETED.equals(t.state()) && !TrainingStatus.CONTINUOUS.equals(t.state())) {
            return false;
        }
        int planned = options.epochs().orElse(t.plannedEpochs());
        return options.models().stream().allMatch(f -> served.apply(f.modelName())
                .filter(m -> m.version() > 0 && m.epoch() >= planned).isPresent());
    }

    private static double orNaN(Double measured) {
        return measured == null ? Double.NaN : measured;
    }

    /** One progress line from ingest's publication status. */
    static String describe(PublishStatus status) {
        String line = String.format(java.util.Locale.ROOT, "%s %d/%d images (%.0f images/s)",
                status.state() == null ? "?" : status.state().name().toLowerCase(java.util.Locale.ROOT),
                status.publishedImages(), status.totalImages(), status.imagesPerSecond());
        if (status.skippedImages() > 0) {
            line += ", " + status.skippedImages() + " already on the topics";
        }
        if (status.waitingFor() != null) {
            line += ": " + status.waitingFor();
        }
        return status.error() == null ? line : line + ": " + status.error();
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
            return fresh.contains(text) && Supervisor.listening("localhost", settings.httpPort(c));
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
