package dev.fmnist.inference.support;

import dev.fmnist.contracts.SnapshotSigning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One inference replica as a process of its own: the packaged service ({@code target/quarkus-app/quarkus-run.jar},
 * as {@code ./fmnist up} and the containers run it) on a free port of 127.0.0.1, in the consumer group
 * fmnist-inference of the given brokers, trusting {@link TestSigning}'s snapshot key. {@link #kill()} is SIGKILL:
 * no shutdown hook runs, nothing is committed or closed, as when a pod's node dies.
 */
public final class ReplicaProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ReplicaProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts replica {@code name} on {@code bootstrap}, logging to {@code logDir/name.log}. */
    public static ReplicaProcess start(String name, String bootstrap, Path logDir, String... extraProperties) {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the packaged service is needed: " + jar + " (mvn package builds it)");
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx256m", "-XX:+UseParallelGC",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dfmnist.inference.snapshot-poll-timeout=PT0.1S", "-Dfmnist.inference.snapshot-retry-backoff=PT0.5S",
                // the drill and the scale bench publish an untrained snapshot: they measure the request path, and
                // gated promotion would rightly refuse it (below the floor)
                "-Dfmnist.inference.promotion.policy=latest",
                "-Dquarkus.log.level=INFO", "-Dquarkus.log.category.\"org.apache.kafka\".level=WARN"));
        cmd.addAll(List.of(extraProperties));
        cmd.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // secrets by environment, as ./fmnist and the manifests pass them; HOSTNAME names the replica
            b.environment().put("FMNIST_SNAPSHOTS_PUBLIC_KEYS", SnapshotSigning.publicKeyOf(TestSigning.KEY));
            b.environment().put("FMNIST_MODEL_CONTROL_SIGNING_KEY", TestSigning.CONTROL_KEY);
            b.environment().put("HOSTNAME", name);
            return new ReplicaProcess(name, port, b.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start replica " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Ready: a model is loaded (the readiness check), so REST and Kafka requests are answered. */
    public boolean ready() {
        return status("/q/health/ready") == 200;
    }

    /** The status of a GET, or -1 when the replica does not answer. */
    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The replica's /q/metrics text ("" when it does not answer). */
    public String metrics() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** SIGKILL, waiting until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor(30);
    }

    /** SIGTERM (a graceful stop), then SIGKILL after 30 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(30)) {
                kill();
            }
        }
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
