package dev.fmnist.cli;

import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.PredictionResponse;
import dev.fmnist.contracts.FashionMnist;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** Entry point of {@code ./fmnist}: up, down, status, classify, logs. */
public final class Main {
    static final String USAGE = """
            usage: ./fmnist <command>
              up [-d] [--fresh] [--secure] [--epochs N] [--train-limit N] [--test-limit N] [--first-model]
                        start Kafka, the three services and the console, publish Fashion-MNIST, train, serve.
                        -d: detach, return once the trained model serves (--first-model: at the first one)
                        --fresh: delete the broker's data and the logs first
                        --secure: Kafka on SASL_SSL (SCRAM-SHA-512, a CA in .fmnist/kafka-secrets), a principal per service
              down      stop a detached run
              status    what runs, the epoch table so far, the served model
              classify FILE [--invert]
                        classify a PNG/JPEG (any size), a 784-byte raw file or a JSON file
              logs [kafka|inference|trainer|ingest|console] [-n LINES]
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
            case "up" -> up(settings, rest, out);
            case "down" -> down(settings, out);
            case "status" -> status(settings, out);
            case "classify" -> classify(settings, rest, out);
            case "logs" -> logs(settings, rest, out);
            default -> throw new CliException("unknown command '" + args.get(0) + "'\n" + USAGE, 2);
        };
    }

    private static int up(Settings settings, List<String> args, PrintStream out) {
        boolean detach = false;
        boolean fresh = false;
        boolean firstModel = false;
        boolean secure = false;
        Optional<Integer> epochs = Optional.empty();
        int trainLimit = 0;
        int testLimit = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-d", "--detach" -> detach = true;
                case "--fresh" -> fresh = true;
                case "--first-model" -> firstModel = true;
                case "--secure" -> secure = true;
                case "--epochs" -> epochs = Optional.of(positive(a, value(args, ++i, a)));
                case "--train-limit" -> trainLimit = positive(a, value(args, ++i, a));
                case "--test-limit" -> testLimit = positive(a, value(args, ++i, a));
                default -> throw new CliException("unknown option '" + a + "' for up\n" + USAGE, 2);
            }
        }
        Orchestrator orchestrator = new Orchestrator(settings, out);
        Supervisor supervisor = orchestrator.supervisor();
        if (supervisor.anyRunning()) {
            out.println("a run is already up:");
            status(settings, out);
            return 0;
        }
        AtomicBoolean done = new AtomicBoolean(false);
        boolean attached = !detach;
        Thread stopper = new Thread(() -> {
            if ((attached || !done.get()) && supervisor.anyRunning()) {
                out.println();
                out.println("stopping...");
                List<Component> stopped = supervisor.stopAll();
                out.println("stopped " + stopped.size() + " processes");
            }
        }, "fmnist-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        var options = new Orchestrator.Options(detach, fresh, epochs, trainLimit, testLimit, firstModel,
                new EnumMap<>(Component.class), Orchestrator.Options.DEFAULT_TIMEOUT,
                secure ? Optional.of(KafkaSecurity.local(settings.home())) : Optional.empty());
        Orchestrator.Result result = orchestrator.up(options);
        done.set(true);
        out.println();
        out.printf(Locale.ROOT, "serving model v%d (epoch %d, train loss %.4f, test accuracy %.4f) on %s%n",
                result.modelVersion(), result.epoch(), result.trainLoss(), result.testAccuracy(),
                settings.baseUrl(Component.INFERENCE));
        out.println("try:  curl -s -X POST -H 'Content-Type: image/png' --data-binary @your-image.png "
                + settings.baseUrl(Component.INFERENCE) + "/api/v1/classify");
        out.println("  or: ./fmnist classify your-image.png");
        Path home = settings.home();
        String shown = home.startsWith(settings.repo()) ? settings.repo().relativize(home).toString() : home.toString();
        out.println("admin token (training control, pin/rollback): " + shown + "/" + Credentials.ADMIN_TOKEN_FILE
                + "   e.g. -H \"Authorization: Bearer $(cat " + shown + "/" + Credentials.ADMIN_TOKEN_FILE + ")\"");
        out.println("writer token (uploads, publication): " + shown + "/" + Credentials.WRITER_TOKEN_FILE);
        options.kafka().ifPresent(k -> out.println(Orchestrator.kafkaLine(k)));
        out.println(Orchestrator.consoleLine(settings));
        if (detach) {
            out.println("running in the background; ./fmnist status, ./fmnist logs, ./fmnist down");
            Runtime.getRuntime().removeShutdownHook(stopper);
            return 0;
        }
        out.println("press Ctrl-C to stop everything");
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int down(Settings settings, PrintStream out) {
        Supervisor supervisor = new Supervisor(settings);
        List<Component> stopped = supervisor.stopAll();
        out.println(stopped.isEmpty() ? "nothing was running" : "stopped: " + String.join(", ", stopped.stream().map(Component::id).toList()));
        return 0;
    }

    private static int status(Settings settings, PrintStream out) {
        Supervisor supervisor = new Supervisor(settings);
        PipelineClient client = new PipelineClient(settings);
        boolean any = false;
        for (Component c : Component.values()) {
            Optional<ProcessHandle> p = supervisor.running(c);
            any |= p.isPresent();
            String where = c == Component.KAFKA ? settings.bootstrapServers() : settings.baseUrl(c);
            String health = p.isEmpty() ? "" : c.isService() ? (client.live(c) ? ", live" : ", not answering") : "";
            out.printf(Locale.ROOT, "%-10s %-8s %s%s%n", c.id(), p.map(h -> "pid " + h.pid()).orElse("stopped"), where, health);
        }
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
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-n")) {
                lines = positive(a, value(args, ++i, a));
                continue;
            }
            Component c = null;
            for (Component k : Component.values()) {
                if (k.id().equals(a)) {
                    c = k;
                }
            }
            if (c == null) {
                throw new CliException("unknown component '" + a + "' (kafka, inference, trainer, ingest)", 2);
            }
            which.add(c);
        }
        if (which.isEmpty()) {
            which.addAll(List.of(Component.values()));
        }
        Supervisor supervisor = new Supervisor(settings);
        for (Component c : which) {
            out.println("==> " + settings.log(c) + " <==");
            out.println(supervisor.tail(c, lines));
        }
        return 0;
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new CliException(option + " needs a value", 2);
        }
        return args.get(i);
    }

    private static int positive(String option, String v) {
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
