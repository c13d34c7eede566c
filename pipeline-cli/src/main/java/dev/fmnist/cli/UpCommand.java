package dev.fmnist.cli;

import dev.fmnist.contracts.model.ModelFamily;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code ./fmnist up}: attached, this launcher starts the components, follows training and then watches
 * them (a {@link Watchdog} restarts one that exits) until Ctrl-C; detached ({@code -d}), it re-executes
 * itself in the background as {@code ./fmnist supervise} (same options), which does the same and stays
 * behind as the run's supervisor, and shows that process's output until the model serves.
 */
final class UpCommand {
    /** The options of {@code up} (and of {@code supervise}, which gets them from {@link #forSupervisor}). */
    static final class Args {
        @Option(names = {"-d", "--detach"}, description = "detach: return once the trained model "
                + "serves (--first-model: at the first one), leaving a supervisor process behind that does the restarting")
        boolean detach;
        @Option(names = "--fresh", description = "delete the broker's data and the logs first")
        boolean fresh;
        @Option(names = "--first-model", description = "with -d: return as soon as a first model serves")
        boolean firstModel;
        @Option(names = "--secure", description = "Kafka on SASL_SSL (SCRAM-SHA-512, a CA in "
                + ".fmnist/kafka-secrets), a principal per service")
        boolean secure;
        @Option(names = "--epochs", paramLabel = "N", converter = Main.Positive.class, description = "train N epochs")
        Integer epochs;
        @Option(names = "--train-limit", paramLabel = "N", converter = Main.Positive.class,
                description = "publish only the first N training images")
        int trainLimit;
        @Option(names = "--test-limit", paramLabel = "N", converter = Main.Positive.class,
                description = "publish only the first N test images")
        int testLimit;
        @Option(names = "--model", paramLabel = "FAMILY", split = ",", converter = Family.class,
                description = "the model families to train and serve, e.g. cnn or softmax,cnn (softmax, mlp, cnn; "
                        + "fmnist-cnn works too): the trainer trains each in turn, inference serves all of them "
                        + "(?model=NAME; the first is the default route), the console compares them "
                        + "(default: softmax)")
        List<ModelFamily> models;
        @Option(names = "--brokers", paramLabel = "N", defaultValue = "1", description = "1 (default): one Kafka broker; "
                + "3: a local KRaft cluster of three broker processes (node n on FMNIST_KAFKA_PORT + 2(n-1), its controller "
                + "on FMNIST_KAFKA_CONTROLLER_PORT + 2(n-1), data in kafka-cluster/node-n), topics with replication factor 3 "
                + "and min.insync.replicas=2, every service given the three addresses; ./fmnist kill-broker N and "
                + "start-broker N for drills")
        int brokers;

        /** The same run for the background supervisor: attached to it, and {@code --fresh} already done. */
        List<String> forSupervisor() {
            return Stream.of(epochs == null ? null : "--epochs=" + epochs, trainLimit > 0 ? "--train-limit=" + trainLimit : null,
                    testLimit > 0 ? "--test-limit=" + testLimit : null, firstModel ? "--first-model" : null,
                    secure ? "--secure" : null, brokers > 1 ? "--brokers=" + brokers : null, models().isEmpty() ? null
                            : "--model=" + String.join(",", models().stream().map(ModelFamily::id).toList()))
                    .filter(Objects::nonNull).toList();
        }

        /** The families given, each once, in the order given (empty without {@code --model}). */
        List<ModelFamily> models() {
            return models == null ? List.of() : List.copyOf(new LinkedHashSet<>(models));
        }

        Orchestrator.Options options(Settings settings) {
            return new Orchestrator.Options(detach, fresh, Optional.ofNullable(epochs), trainLimit, testLimit, firstModel,
                    new EnumMap<>(Component.class), Orchestrator.Options.DEFAULT_TIMEOUT,
                    secure ? Optional.of(KafkaSecurity.local(settings.home())) : Optional.empty(), models(), brokers);
        }
    }

    /** A family by id or model name ({@link ModelFamily#parse}); picocli reports a wrong one with the usage. */
    static final class Family implements CommandLine.ITypeConverter<ModelFamily> {
        @Override
        public ModelFamily convert(String value) {
            try {
                return ModelFamily.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private final Settings settings;
    private final PrintStream out;
    private final Supervisor supervisor;
    private final WatchdogProcess watchdogProcess;

    UpCommand(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
        this.supervisor = new Supervisor(settings);
        this.watchdogProcess = new WatchdogProcess(settings);
    }

    int up(Args args) {
        if (supervisor.anyRunning() || watchdogProcess.running().isPresent()) {
            out.println("a run is already up:");
            Main.status(settings, out);
            return 0;
        }
        return args.detach ? detached(args) : serve(args, true);
    }

    /**
     * {@code ./fmnist supervise} (hidden): the background half of {@code up -d}. Ends its startup output
     * with {@value LogRelay#READY}, or {@value LogRelay#FAILED}, the exit code and the reason.
     */
    int supervise(Args args) {
        try {
            return serve(args, false);
        } catch (CliException e) {
            return failed(e.exitCode(), e.getMessage());
        } catch (RuntimeException e) {
            e.printStackTrace(out);
            return failed(1, e.toString());
        }
    }

    private int failed(int code, String reason) {
        out.println(LogRelay.FAILED + " " + code);
        out.println(reason);
        out.flush();
        return code;
    }

    private int detached(Args args) {
        AtomicBoolean done = new AtomicBoolean(false);
        AtomicBoolean stopping = new AtomicBoolean(false);
        Thread stopper = new Thread(() -> {
            stopping.set(true);
            if (!done.get()) {
                out.println();
                out.println("stopping...");
                out.println("stopped " + stopEverything() + " processes");
            }
        }, "fmnist-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        if (args.fresh) {
            new Orchestrator(settings, out).fresh();
        }
        try {
            watchdogProcess.follow(watchdogProcess.spawn(args.forSupervisor()), out, stopping::get);
        } catch (RuntimeException e) {
            done.set(true);
            stopEverything(); // the supervisor stopped what it started, unless it was killed
            throw e;
        }
        done.set(true);
        Runtime.getRuntime().removeShutdownHook(stopper);
        out.println("running in the background; ./fmnist status, ./fmnist logs, ./fmnist down");
        return 0;
    }

    /** {@code down}'s order: the supervisor first, so that nothing is restarted behind it, then the rest. */
    private int stopEverything() {
        boolean supervised = watchdogProcess.stop();
        return supervisor.stopAll().size() + (supervised ? 1 : 0);
    }

    /** Starts the run, then restarts what exits until this JVM is stopped. */
    private int serve(Args args, boolean attached) {
        watchdogProcess.claim();
        Restarts restarts = new Restarts(settings.restartsFile());
        restarts.clear();
        PrintStream events = attached ? tee(out, settings.supervisorLog()) : out;
        Watchdog watchdog = new Watchdog(supervisor, RestartPolicy.DEFAULT, restarts, events, Clock.systemUTC());
        AtomicBoolean serving = new AtomicBoolean(false);
        Thread stopper = new Thread(() -> {
            watchdog.stop();
            supervisor.refuseStarts();
            if (attached && supervisor.anyRunning()) {
                out.println();
                out.println("stopping...");
                List<Component> stopped = supervisor.stopAll();
                out.println("stopped " + stopped.size() + " processes");
            } else if (!attached) {
                out.println((serving.get() ? "" : "\n") + LogRelay.PREFIX + java.time.Instant.now() + " supervisor stopped: nothing is restarted any more");
            }
            watchdogProcess.release();
        }, "fmnist-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        Orchestrator.Options options = args.options(settings);
        Orchestrator.Result result = new Orchestrator(settings, out, supervisor, Optional.of(watchdog)).up(options);
        printServing(result, options);
        serving.set(true);
        if (attached) {
            out.println("press Ctrl-C to stop everything");
        } else {
            out.println(LogRelay.READY);
        }
        out.flush();
        try {
            Thread.currentThread().join(); // the watchdog works on its own threads; the hook ends this
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void printServing(Orchestrator.Result result, Orchestrator.Options options) {
        out.println();
        out.printf(Locale.ROOT, "serving model v%d (epoch %d, train loss %.4f, test accuracy %.4f) on %s%n",
                result.modelVersion(), result.epoch(), result.trainLoss(), result.testAccuracy(),
                settings.baseUrl(Component.INFERENCE));
        if (!options.models().isEmpty()) {
            out.println("models: " + String.join(", ", options.models().stream().map(ModelFamily::modelName).toList())
                    + " (the default route serves " + options.models().get(0).modelName() + "; pick one with ?model=NAME)");
            PipelineClient client = new PipelineClient(settings);
            for (ModelFamily f : options.models()) {
                out.println(client.model(f.modelName()).map(m -> String.format(Locale.ROOT,
                        "  %s v%d (epoch %d, test accuracy %.4f)", f.modelName(), m.version(), m.epoch(),
                        m.testAccuracy() == null ? Double.NaN : m.testAccuracy())).orElse("  " + f.modelName() + ": not served yet"));
            }
        }
        out.println("try:  curl -s -X POST -H 'Content-Type: image/png' --data-binary @your-image.png "
                + settings.baseUrl(Component.INFERENCE) + "/api/v1/classify");
        out.println("  or: ./fmnist classify your-image.png");
        Path home = settings.home();
        String shown = home.startsWith(settings.repo()) ? settings.repo().relativize(home).toString() : home.toString();
        out.println("admin token (training control, pin/rollback): " + shown + "/" + Credentials.ADMIN_TOKEN_FILE
                + "   e.g. -H \"Authorization: Bearer $(cat " + shown + "/" + Credentials.ADMIN_TOKEN_FILE + ")\"");
        out.println("writer token (uploads, publication): " + shown + "/" + Credentials.WRITER_TOKEN_FILE);
        options.kafka().ifPresent(k -> out.println(Orchestrator.kafkaLine(k)));
        if (options.brokers() > 1) {
            out.println(Orchestrator.clusterLine(settings, options.brokers()));
        }
        out.println(Orchestrator.consoleLine(settings));
    }

    /** The terminal and the supervisor log at once: an attached run's restarts are seen and kept. */
    private static PrintStream tee(PrintStream terminal, Path file) {
        OutputStream log;
        try {
            Files.createDirectories(file.getParent());
            log = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new CliException("cannot write " + file + ": " + e.getMessage());
        }
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                terminal.write(b);
                log.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                terminal.write(b, off, len);
                log.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                terminal.flush();
                log.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
