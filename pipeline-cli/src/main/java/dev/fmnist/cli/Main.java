package dev.fmnist.cli;

import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.PredictionResponse;
import dev.fmnist.contracts.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Entry point of {@code ./fmnist}: up, down, status, classify, logs. */
public final class Main {
    static final String USAGE = """
            usage: ./fmnist <command>
              up [-d] [--fresh] [--secure] [--epochs N] [--train-limit N] [--test-limit N] [--first-model]
                        start Kafka, the three services and the console, publish Fashion-MNIST, train, serve.
                        A component that exits is restarted, same command and environment, after 1 s, 2 s,
                        4 s ... at most 60 s (back to 1 s once it stayed up 5 min; shown as crash-looping
                        after 10 crashes in a row); restarts are logged in .fmnist/logs/supervisor.log.
                        -d: detach, return once the trained model serves (--first-model: at the first one),
                            leaving a supervisor process behind that does the restarting
                        --fresh: delete the broker's data and the logs first
                        --secure: Kafka on SASL_SSL (SCRAM-SHA-512, a CA in .fmnist/kafka-secrets), a principal per service
              down      stop a run: the supervisor first (nothing is restarted any more), then the components
              status    what runs, restarts per component (count, last exit code and time), whether the
                        supervisor runs, the epoch table so far, the served model
              classify FILE [--invert]
                        classify a PNG/JPEG (any size), a 784-byte raw file or a JSON file
              logs [kafka|inference|trainer|ingest|console|supervisor] [-n LINES]
                        the last lines of each component's log (folder: .fmnist/logs)
            environment: FMNIST_DATA_DIR, FMNIST_HOME, FMNIST_KAFKA_PORT, FMNIST_KAFKA_CONTROLLER_PORT,
                         FMNIST_INFERENCE_PORT, FMNIST_INGEST_PORT, FMNIST_TRAINER_PORT, FMNIST_CONSOLE_PORT,
                         FMNIST_BOOTSTRAP_SERVERS
            """;

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        Path repo = Path.of(System.getProperty("fmnist.repo", ".")).toAbsolutePath().normalize();
        try {
            Settings settings = Settings.fromEnvironment(repo, System.getenv());
            System.exit(run(settings, List.of(args), out));
        } catch (CliException e) {
            System.err.println("fmnist: " + e.getMessage());
            System.exit(e.exitCode());
        }
    }

    static int run(Settings settings, List<String> args, PrintStream out) {
        if (args.isEmpty() || args.get(0).equals("-h") || args.get(0).equals("--help") || args.get(0).equals("help")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.get(0)) {
            case "up" -> new UpCommand(settings, out).up(rest);
            case WatchdogProcess.COMMAND -> new UpCommand(settings, out).supervise(rest);
            case "down" -> down(settings, out);
            case "status" -> status(settings, out);
            case "classify" -> classify(settings, rest, out);
            case "logs" -> logs(settings, rest, out);
            default -> throw new CliException("unknown command '" + args.get(0) + "'\n" + USAGE, 2);
        };
    }

    /** Stops the supervisor first (so nothing is restarted behind it), then the components, broker last. */
    private static int down(Settings settings, PrintStream out) {
        List<String> stopped = new ArrayList<>();
        if (new WatchdogProcess(settings).stop()) {
            stopped.add("supervisor");
        }
        new Supervisor(settings).stopAll().forEach(c -> stopped.add(c.id()));
        out.println(stopped.isEmpty() ? "nothing was running" : "stopped: " + String.join(", ", stopped));
        return 0;
    }

    static int status(Settings settings, PrintStream out) {
        Supervisor supervisor = new Supervisor(settings);
        PipelineClient client = new PipelineClient(settings);
        Optional<ProcessHandle> watching = new WatchdogProcess(settings).running();
        Map<Component, Restarts.Entry> restarts = new Restarts(settings.restartsFile()).read();
        Instant now = Instant.now();
        boolean any = watching.isPresent();
        for (Component c : Component.values()) {
            Optional<ProcessHandle> p = supervisor.running(c);
            any |= p.isPresent();
            String where = c == Component.KAFKA ? settings.bootstrapServers() : settings.baseUrl(c);
            String health = p.isEmpty() ? "" : c.isService() ? (client.live(c) ? ", live" : ", not answering") : "";
            Restarts.Entry r = restarts.get(c);
            String state = p.map(h -> "pid " + h.pid())
                    .orElse(r != null && watching.isPresent() ? "restarting" : "stopped");
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

    private static int classify(Settings settings, List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new CliException("classify needs a file: ./fmnist classify image.png", 2);
        }
        Path file = Path.of(args.get(0));
        boolean invert = args.contains("--invert");
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

    private static int logs(Settings settings, List<String> args, PrintStream out) {
        int lines = 40;
        List<Component> which = new ArrayList<>();
        boolean supervisorLog = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-n")) {
                lines = positive(a, value(args, ++i, a));
                continue;
            }
            if (a.equals("supervisor")) {
                supervisorLog = true;
                continue;
            }
            Component c = null;
            for (Component k : Component.values()) {
                if (k.id().equals(a)) {
                    c = k;
                }
            }
            if (c == null) {
                throw new CliException("unknown component '" + a + "' (kafka, inference, trainer, ingest, console, supervisor)", 2);
            }
            which.add(c);
        }
        if (which.isEmpty() && !supervisorLog) {
            which.addAll(List.of(Component.values()));
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
            List<String> all = Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + file + ")";
        }
    }

    static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new CliException(option + " needs a value", 2);
        }
        return args.get(i);
    }

    static int positive(String option, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CliException(option + " takes a positive whole number, not '" + v + "'", 2);
        }
    }
}
