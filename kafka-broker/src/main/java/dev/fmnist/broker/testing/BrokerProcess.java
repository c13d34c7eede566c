package dev.fmnist.broker.testing;

import static org.awaitility.Awaitility.await;

import dev.fmnist.broker.LocalKafkaMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * For outage tests: the plaintext broker of {@code ./fmnist up} ({@link LocalKafkaMain}) in a process of
 * its own, on fixed ports and a data folder that survive it, so that a test can freeze it (SIGSTOP, which
 * an in-JVM broker cannot be), kill it (SIGKILL) and start it again where it was. The process runs on this
 * JVM's class path and writes its output to {@code <data folder name>-<n>.log} beside the data folder (n counts
 * its starts). {@link #node} makes it one node of a cluster ({@link BrokerCluster} starts three).
 */
public final class BrokerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final int port;
    private final List<String> options;
    private Process process;
    private Path log;
    private int starts;

    /** Starts a broker on the given ports; the folder is formatted on the first start. */
    public static BrokerProcess start(Path dataDir, int port, int controllerPort) {
        BrokerProcess broker = new BrokerProcess(dataDir, port, List.of("--controller-port", String.valueOf(controllerPort)));
        broker.restart();
        return broker;
    }

    /**
     * Node {@code node.nodeId()} of a cluster on client port {@code port} (its controller port is in the
     * voters), not started yet: {@link #launch()} and then {@link #awaitReady()}, for every node at once,
     * since a node is ready only once a quorum of them runs.
     */
    public static BrokerProcess node(Path dataDir, int port, dev.fmnist.broker.ClusterNode node) {
        return new BrokerProcess(dataDir, port, List.of("--node-id", String.valueOf(node.nodeId()), "--voters", node.voters(),
                "--cluster-id", node.clusterId()));
    }

    private BrokerProcess(Path dataDir, int port, List<String> options) {
        this.dataDir = dataDir.toAbsolutePath();
        this.port = port;
        this.options = List.copyOf(options);
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the broker again on the same ports and data and waits for its ready line. */
    public synchronized void restart() {
        launch();
        awaitReady();
    }

    /** Starts the process on the same ports and data, without waiting for it to be ready. */
    public synchronized void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is still running (pid " + process.pid() + ")");
        }
        log = dataDir.resolveSibling(dataDir.getFileName() + "-" + (++starts) + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), LocalKafkaMain.class.getName(),
                "--data", dataDir.toString(), "--port", String.valueOf(port)));
        command.addAll(options);
        try {
            Files.createDirectories(dataDir.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the broker process", e);
        }
    }

    /** Waits for the ready line of the last {@link #launch()}; kills the process when it does not come. */
    public void awaitReady() {
        Process process;
        Path log;
        synchronized (this) {
            process = this.process;
            log = this.log;
        }
        try {
            await("the broker's ready line").atMost(READY_TIMEOUT).until(() -> {
                if (readyLine(log)) {
                    return true;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker exited with " + process.exitValue() + "; see " + log);
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the broker was not ready within " + READY_TIMEOUT.toSeconds()
                    + " s; see " + log, e);
        }
    }

    /** SIGSTOP: the broker keeps its sockets open but answers nothing, as a frozen VM or a GC pause would. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        signal("CONT");
    }

    /** SIGKILL, and waits until the process is gone (no clean shutdown: the log is recovered on restart). */
    public synchronized void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the broker (pid " + process.pid() + ") did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing the broker", e);
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            signal("CONT");
            kill();
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling the broker", e);
        }
    }

    private static boolean readyLine(Path log) {
        try {
            return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("ready bootstrap=");
        } catch (IOException e) {
            return false;
        }
    }
}
