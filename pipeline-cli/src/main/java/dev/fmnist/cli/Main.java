package dev.fmnist.cli;

import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.PredictionResponse;
import dev.fmnist.contracts.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/** Entry point of {@code ./fmnist}: up, down, status, classify, logs. */
@Command(name = "./fmnist", subcommands = HelpCommand.class, scope = ScopeType.INHERIT, usageHelpWidth = 100,
        synopsisHeading = "usage: ",
        commandListHeading = "%ncommands:%n", optionListHeading = "%noptions:%n", footerHeading = "%n",
        footer = "./fmnist help COMMAND shows a command's options. Environment: FMNIST_DATA_DIR, FMNIST_HOME, "
                + "FMNIST_KAFKA_PORT, FMNIST_KAFKA_CONTROLLER_PORT, FMNIST_INFERENCE_PORT, FMNIST_INGEST_PORT, "
                + "FMNIST_TRAINER_PORT, FMNIST_CONSOLE_PORT, FMNIST_BOOTSTRAP_SERVERS, FMNIST_BIND_HOST. "
                + "A three-broker cluster: ./fmnist up --brokers 3 (its nodes on FMNIST_KAFKA_PORT, +2, +4 and "
                + "FMNIST_KAFKA_CONTROLLER_PORT, +2, +4), ./fmnist kill-broker N, ./fmnist start-broker N")
public final class Main {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    private final Settings settings;
    private final PrintStream out;

    private Main(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static void main(String[] args) {
        // the Kafka admin client of status and kill-broker logs through slf4j, which has no binding here: silence it
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        Path repo = Path.of(System.getProperty("fmnist.repo", ".")).toAbsolutePath().normalize();
        try {
            Settings settings = Settings.fromEnvironment(repo, System.getenv());
            System.exit(run(settings, List.of(args), System.out, System.err));
        } catch (CliException e) {
            System.err.println("fmnist: " + e.getMessage());
            System.exit(e.exitCode());
        }
    }

    /** Runs one command line; picocli reports a bad one (no command included) on {@code err} with the usage: exit 2. */
    static int run(Settings settings, List<String> args, PrintStream out, PrintStream err) {
        return new CommandLine(new Main(settings, out))
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
                .setExecutionExceptionHandler((e, line, parsed) -> {
                    if (!(e instanceof CliException failure)) {
                        throw e;
                    }
                    err.println("fmnist: " + failure.getMessage());
                    return failure.exitCode();
                })
                .execute(args.toArray(String[]::new));
    }

    @Command(name = "up", description = "start Kafka, the three services and the console, publish Fashion-MNIST, "
            + "train, serve. A component that exits is restarted, same command and environment, after 1 s, 2 s, "
            + "4 s ... at most 60 s (back to 1 s once it stayed up 5 min; shown as crash-looping after 10 crashes "
            + "in a row); restarts are logged in .fmnist/logs/supervisor.log.")
    int up(@Mixin UpCommand.Args args) {
        return new UpCommand(settings, out).up(args);
    }

    @Command(name = WatchdogProcess.COMMAND, hidden = true) // the background half of up -d
    int supervise(@Mixin UpCommand.Args args) {
        return new UpCommand(settings, out).supervise(args);
    }

    /** Stops the supervisor first (so nothing is restarted behind it), then the components, broker last. */
    @Command(name = "down", description = "stop a run: the supervisor first (nothing is restarted any more), then the components")
    int down() {
        List<String> stopped = new ArrayList<>();
        if (new WatchdogProcess(settings).stop()) {
            stopped.add("supervisor");
        }
        new Supervisor(settings).stopAll().forEach(c -> stopped.add(c.id()));
        out.println(stopped.isEmpty() ? "nothing was running" : "stopped: " + String.join(", ", stopped));
        return 0;
    }

    @Command(name = "kill-broker", description = "drill: SIGKILL broker node N of a cluster run (up --brokers 3); the "
            + "supervisor leaves it down (a service that exits is still restarted) until ./fmnist start-broker N")
    int killBroker(@Parameters(paramLabel = "N", description = "the node, 1-3") int node) {
        Component c = clusterBroker(node);
        Supervisor supervisor = new Supervisor(settings);
        ProcessHandle h = supervisor.running(c).orElseThrow(() -> new CliException(c.id() + " (node " + node
                + ") is not running (./fmnist status)"));
        supervisor.hold(c);
        h.destroyForcibly();
        try {
            h.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new CliException(c.id() + " (pid " + h.pid() + ") did not die within 30 s");
        }
        out.printf(Locale.ROOT, "%s (node %d, pid %d, localhost:%d) killed with SIGKILL at %s; left down until ./fmnist start-broker %d%n",
                c.id(), node, h.pid(), settings.brokerPort(node), Instant.now(), node);
        return 0;
    }

    @Command(name = "start-broker", description = "start broker node N of a cluster run again (after kill-broker): the "
            + "supervisor starts it with its data and ports; waits until it listens")
    int startBroker(@Parameters(paramLabel = "N", description = "the node, 1-3") int node) {
        Component c = clusterBroker(node);
        Supervisor supervisor = new Supervisor(settings);
        if (supervisor.running(c).isPresent()) {
            supervisor.release(c);
            out.println(c.id() + " (node " + node + ") is already running");
            return 0;
        }
        if (new WatchdogProcess(settings).running().isEmpty()) {
            throw new CliException("no supervisor runs (it starts the broker again); start the run with ./fmnist up --brokers 3");
        }
        long t0 = System.nanoTime();
        supervisor.release(c);
        long deadline = t0 + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (supervisor.running(c).isEmpty() || !Supervisor.listening("localhost", settings.brokerPort(node))) {
            if (System.nanoTime() > deadline) {
                throw new CliException(c.id() + " did not come back within 120 s; last lines of its log:\n" + supervisor.tail(c, 15));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted");
            }
        }
        out.printf(Locale.ROOT, "%s (node %d, pid %d) listens on localhost:%d again after %.1f s%n", c.id(), node,
                supervisor.running(c).get().pid(), settings.brokerPort(node), (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** Broker node {@code node} of the cluster run in this state folder. */
    private Component clusterBroker(int node) {
        Brokers brokers = Brokers.ofRun(settings);
        if (!brokers.isCluster()) {
            throw new CliException("not a cluster run: kill-broker and start-broker are for ./fmnist up --brokers 3", 2);
        }
        if (node < 1 || node > brokers.count()) {
            throw new CliException("no broker node " + node + " (1-" + brokers.count() + ")", 2);
        }
        return Component.broker(node);
    }

    @Command(name = "status", description = "what runs, restarts per component (count, last exit code and time), "
            + "whether the supervisor runs, the brokers of a cluster run (node, port, up/down, partitions led, "
            + "under-replicated), the epoch table so far, the served model")
    int status() {
        return status(settings, out);
    }

    static int status(Settings settings, PrintStream out) {
        Supervisor supervisor = new Supervisor(settings);
        PipelineClient client = new PipelineClient(settings);
        Optional<ProcessHandle> watching = new WatchdogProcess(settings).running();
        Map<Component, Restarts.Entry> restarts = new Restarts(settings.restartsFile()).read();
        Instant now = Instant.now();
        boolean any = watching.isPresent();
        Brokers brokers = Brokers.ofRun(settings);
        for (Component c : Component.values()) {
            if (c.node() > brokers.count()) {
                continue; // a single broker's run has no nodes 2 and 3
            }
            Optional<ProcessHandle> p = supervisor.running(c);
            any |= p.isPresent();
            String where = c == Component.KAFKA && !brokers.isCluster() ? settings.bootstrapServers()
                    : c.isBroker() ? "localhost:" + settings.brokerPort(c.node()) : settings.baseUrl(c);
            String health = p.isEmpty() ? "" : c.isService() ? (client.live(c) ? ", live" : ", not answering") : "";
            Restarts.Entry r = restarts.get(c);
            String state = p.map(h -> "pid " + h.pid())
                    .orElse(supervisor.held(c) ? "held down" : r != null && watching.isPresent() ? "restarting" : "stopped");
            String history = r == null ? "" : ", " + r.describe(ZoneId.systemDefault())
                    + (RestartPolicy.DEFAULT.crashLooping(r, p.isPresent(), now) ? ", crash-looping" : "");
            out.printf(Locale.ROOT, "%-10s %-10s %s%s%s%n", c.id(), state, where, health, history);
        }
        out.printf(Locale.ROOT, "%-10s %-10s %s%n", "supervisor", watching.map(h -> "pid " + h.pid()).orElse("stopped"),
                watching.isPresent() ? "restarts a component that exits (backoff 1 s doubling to 60 s); log " + settings.supervisorLog()
                        : "not running: a component that exits stays stopped");
        if (!any) {
            out.println("nothing is running (./fmnist up)");
            return 0;
        }
        if (brokers.isCluster()) {
            out.println();
            ClusterStatus.lines(settings, brokers, supervisor).forEach(out::println);
        }
        client.training().ifPresent(t -> {
            out.printf(Locale.ROOT, "%ntrainer: state %s, epoch %d, step %d, model v%d%n", t.state(),
                    t.epoch(), t.step(), t.modelVersion());
            if (!t.history().isEmpty()) {
                out.println(EpochTable.HEADER);
                t.history().forEach(e -> out.println(EpochTable.row(e)));
            }
        });
        Optional<ModelInfo> model = client.model();
        out.println(model.map(m -> String.format(Locale.ROOT, "%ninference: serving v%d (epoch %d, test accuracy %.4f)",
                m.version(), m.epoch(), m.testAccuracy() == null ? Double.NaN : m.testAccuracy()))
                .orElse("\ninference: no model loaded yet"));
        return 0;
    }

    @Command(name = "classify", description = "classify a PNG/JPEG (any size), a 784-byte raw file or a JSON file")
    int classify(@Parameters(paramLabel = "FILE", description = "PNG, JPEG, .json or 784 raw bytes") Path file,
                 @Option(names = "--invert", description = "a dark object on a light background (a photo)") boolean invert) {
        byte[] body;
        try {
            body = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = name.endsWith(".png") ? "image/png"
                : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg"
                : name.endsWith(".json") ? "application/json" : "application/octet-stream";
        PipelineClient client = new PipelineClient(settings);
        PipelineClient.Answer a = client.post(Component.INFERENCE, "/api/v1/classify" + (invert ? "?invert=true" : ""), type, body)
                .orElseThrow(() -> new CliException("the inference service does not answer on "
                        + settings.baseUrl(Component.INFERENCE) + " (./fmnist up -d first)"));
        if (!a.ok()) {
            throw new CliException("HTTP " + a.status() + ": " + a.reason());
        }
        PredictionResponse p = a.as(PredictionResponse.class);
        float[] probs = p.probabilities();
        out.printf(Locale.ROOT, "%s (class %d, p=%.3f) by model v%d, epoch %d%n", p.label(),
                p.classIndex(), probs[p.classIndex()], p.modelVersion(), p.epoch());
        List<String> top = new ArrayList<>();
        for (int i = 0; i < probs.length; i++) {
            top.add(String.format(Locale.ROOT, "%s %.3f", FashionMnist.label(i), probs[i]));
        }
        out.println("  " + String.join(" | ", top));
        return 0;
    }

    @Command(name = "logs", description = "the last lines of each component's log (folder: .fmnist/logs)")
    int logs(@Parameters(paramLabel = "COMPONENT", arity = "0..*",
                     description = "kafka (kafka-2, kafka-3 in a cluster run), inference, trainer, ingest, console or "
                             + "supervisor (default: all)") List<String> names,
             @Option(names = "-n", paramLabel = "LINES", defaultValue = "40", converter = Positive.class,
                     description = "how many (default: ${DEFAULT-VALUE})") int lines) {
        List<Component> which = new ArrayList<>();
        boolean supervisorLog = false;
        for (String name : names == null ? List.<String>of() : names) {
            if (name.equals("supervisor")) {
                supervisorLog = true;
                continue;
            }
            which.add(Arrays.stream(Component.values()).filter(c -> c.id().equals(name)).findFirst()
                    .orElseThrow(() -> new CliException("unknown component '" + name
                            + "' (kafka, inference, trainer, ingest, console, supervisor)", 2)));
        }
        if (which.isEmpty() && !supervisorLog) {
            int brokers = Brokers.ofRun(settings).count();
            Arrays.stream(Component.values()).filter(c -> c.node() <= brokers).forEach(which::add);
            supervisorLog = Files.isRegularFile(settings.supervisorLog());
        }
        Supervisor supervisor = new Supervisor(settings);
        for (Component c : which) {
            out.println("==> " + settings.log(c) + " <==");
            out.println(supervisor.tail(c, lines));
        }
        if (supervisorLog) {
            out.println("==> " + settings.supervisorLog() + " <==");
            out.println(tail(settings.supervisorLog(), lines));
        }
        return 0;
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + file + ")";
        }
    }

    /** A count option: a whole number above zero (at most nine digits, so that it is an int). */
    static final class Positive implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if (!value.matches("0*[1-9][0-9]{0,8}")) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a positive whole number");
            }
            return Integer.valueOf(value);
        }
    }
}
