package dev.fmnist.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The process that runs the {@link Watchdog} of a run, shown to users as "the supervisor": for
 * {@code up -d} the launcher re-executed in the background ({@code ./fmnist supervise ...}: same java, same
 * classpath, its own session, output to {@code logs/supervisor.log}), for an attached {@code up} the
 * launcher itself. Its pid is in {@code run/supervisor.pid}; {@code down} stops it before anything else so
 * that nothing is restarted behind it.
 */
public final class WatchdogProcess {
    /** The hidden command of the re-executed launcher. */
    static final String COMMAND = "supervise";
    /** In the command line of every launcher JVM: guards against a recycled pid. */
    private static final String MARKER = Main.class.getName();
    /** An attached launcher stops every component on SIGTERM, each within 30 s. */
    private static final Duration STOP_GRACE = Duration.ofMinutes(3);

    private final Settings settings;

    public WatchdogProcess(Settings settings) {
        this.settings = settings;
    }

    public Optional<ProcessHandle> running() {
        Path pidFile = settings.supervisorPidFile();
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(cmd -> cmd.contains(MARKER)).orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Records this JVM as the run's supervisor (an attached {@code up}, or the re-executed one). */
    public void claim() {
        writePid(ProcessHandle.current().pid());
    }

    /** Removes the pid file if it names this JVM. */
    public void release() {
        try {
            Path pidFile = settings.supervisorPidFile();
            if (Files.isRegularFile(pidFile)
                    && Files.readString(pidFile).trim().equals(Long.toString(ProcessHandle.current().pid()))) {
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException e) {
            // a leftover pid file of a dead process is ignored by running()
        }
    }

    /**
     * Starts the launcher again in the background as {@code supervise} with the given {@code up} options;
     * it inherits this environment (and the settings' variables), so it starts the components exactly as
     * this launcher would have. Returns the process and where its output starts in the supervisor log.
     */
    public Started spawn(List<String> upArguments) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Orchestrator.java());
        cmd.addAll(JvmOptions.supervisor());
        cmd.add("-Dfmnist.repo=" + settings.repo());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MARKER);
        cmd.add(COMMAND);
        cmd.addAll(upArguments);
        try {
            Path log = settings.supervisorLog();
            Files.createDirectories(log.getParent());
            Files.createDirectories(settings.supervisorPidFile().getParent());
            Files.writeString(log, LogRelay.PREFIX + Instant.now() + " starting the supervisor: " + MARKER + " " + COMMAND + " "
                            + String.join(" ", upArguments) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long from = Files.size(log);
            ProcessBuilder builder = new ProcessBuilder(Supervisor.inOwnSession(cmd));
            Settings.VARIABLES.forEach(builder.environment()::remove);
            builder.environment().putAll(settings.environment());
            builder.environment().putAll(JvmOptions.ENVIRONMENT);
            Process p = builder.directory(settings.repo().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            writePid(p.pid());
            return new Started(p, from);
        } catch (IOException e) {
            throw new CliException("cannot start the supervisor: " + e.getMessage());
        }
    }

    /** A spawned supervisor and the offset of its first output in the supervisor log. */
    public record Started(Process process, long logOffset) {
    }

    /**
     * Shows the spawned supervisor's output as it comes until the model serves; throws with its reason
     * (and exit code) when it gives up, or when it dies without one. Once {@code stopping} says so (a
     * Ctrl-C, whose hook stops the supervisor and reports), shows nothing more and waits for the end.
     */
    public void follow(Started started, PrintStream out, BooleanSupplier stopping) {
        LogRelay relay = new LogRelay(out);
        long position = started.logOffset();
        byte[] buffer = new byte[8192];
        while (true) {
            if (stopping.getAsBoolean()) {
                waitForTheEnd();
            }
            boolean exited = !started.process().isAlive();
            try (InputStream in = Files.newInputStream(settings.supervisorLog())) {
                in.skipNBytes(position);
                int n;
                while ((relay.state() == LogRelay.State.RELAYING || relay.state() == LogRelay.State.FAILED)
                        && !stopping.getAsBoolean()) {
                    n = in.read(buffer);
                    if (n <= 0) {
                        break;
                    }
                    relay.accept(buffer, n);
                    position += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + settings.supervisorLog(), e);
            }
            if (relay.state() == LogRelay.State.READY) {
                return;
            }
            if (exited) {
                if (relay.state() == LogRelay.State.FAILED) {
                    throw new CliException(relay.reason(), relay.exitCode());
                }
                throw new CliException("the supervisor exited (code " + started.process().exitValue()
                        + ") before the model served; see " + settings.supervisorLog());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted");
            }
        }
    }

    /** The JVM is shutting down: its hooks end it, this thread only must not print or return meanwhile. */
    private static void waitForTheEnd() {
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // keep waiting: the shutdown hooks halt the JVM
            }
        }
    }

    /** SIGTERM (its hook stops the restarts), SIGKILL after a grace period; removes the pid file. */
    public boolean stop() {
        Optional<ProcessHandle> h = running();
        h.ifPresent(p -> Supervisor.terminate(p, STOP_GRACE, "the supervisor"));
        try {
            Files.deleteIfExists(settings.supervisorPidFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return h.isPresent();
    }

    private void writePid(long pid) {
        try {
            Files.createDirectories(settings.supervisorPidFile().getParent());
            Files.writeString(settings.supervisorPidFile(), Long.toString(pid), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot write " + settings.supervisorPidFile() + ": " + e.getMessage());
        }
    }
}
