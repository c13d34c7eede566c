package dev.fmnist.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the components as child processes, each in its own session (so a Ctrl-C reaches only
 * this launcher, which then stops them in order), logging to its own file, with a pid file that a
 * later {@code down} or {@code status} uses; stops them. Restarting one that exits is {@link Watchdog}'s job.
 */
public final class Supervisor {
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private final Settings settings;
    private boolean refusing;

    public Supervisor(Settings settings) {
        this.settings = settings;
    }

    /** Starts a component; its output is appended to its log file. */
    public Process start(Component c, List<String> command) {
        return start(c, new Launch(command, Map.of()));
    }

    /**
     * Starts a component with extra environment variables (secrets go there: the command line,
     * which is also written to the log, is readable by every local user).
     */
    public Process start(Component c, List<String> command, Map<String, String> environment) {
        return start(c, new Launch(command, environment));
    }

    /**
     * Starts a component as a child of this process (so its exit code can be read) and writes its pid
     * file. Refused once {@link #refuseStarts()} was called.
     */
    public synchronized Process start(Component c, Launch launch) {
        if (refusing) {
            throw new CliException("not starting " + c.id() + ": the run is stopping");
        }
        try {
            Files.createDirectories(settings.logs());
            Files.createDirectories(settings.pidFile(c).getParent());
            Path log = settings.log(c);
            Files.writeString(log, "==== " + Instant.now() + " starting " + c.id() + ": " + String.join(" ", launch.command()) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(inOwnSession(launch.command()));
            builder.environment().putAll(launch.environment());
            Process p = builder
                    .directory(settings.repo().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            Files.writeString(settings.pidFile(c), Long.toString(p.pid()), StandardCharsets.UTF_8);
            return p;
        } catch (IOException e) {
            throw new CliException("cannot start " + c.id() + ": " + e.getMessage());
        }
    }

    /**
     * From now on {@link #start} refuses; a start in progress has finished (and written its pid file)
     * when this returns, so a following {@link #stopAll()} finds every process.
     */
    public synchronized void refuseStarts() {
        refusing = true;
    }

    /**
     * The command run through {@code setsid} where there is one: its own session, so a Ctrl-C reaches only
     * the launcher, which then stops the processes in order. setsid execs in place: the pid is the command's.
     */
    static List<String> inOwnSession(List<String> command) {
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            full.add("/usr/bin/setsid");
        }
        full.addAll(command);
        return full;
    }

    /** The running process of a component, from its pid file, if it is still alive and is ours. */
    public Optional<ProcessHandle> running(Component c) {
        Path pidFile = settings.pidFile(c);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> isOurs(h, c));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private boolean isOurs(ProcessHandle h, Component c) {
        // setsid execs java in place, so the pid is the JVM's; a recycled pid runs something else.
        Optional<String> cmd = h.info().commandLine();
        return cmd.isPresent() && cmd.get().contains(c.marker());
    }

    public boolean anyRunning() {
        for (Component c : Component.values()) {
            if (running(c).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops every running component, services first and the brokers last, the brokers all at once (a cluster node
     * shuts down once the controller quorum approves it: the last of three stopped one by one would have no quorum
     * left and wait for its grace period). Returns what it stopped.
     */
    public List<Component> stopAll() {
        List<Component> stopped = new ArrayList<>();
        List<Component> order = new ArrayList<>(List.of(Component.values()));
        java.util.Collections.reverse(order);
        for (Component c : order) {
            if (c.isService() && stop(c)) {
                stopped.add(c);
            }
        }
        Map<Component, ProcessHandle> brokers = new java.util.EnumMap<>(Component.class);
        for (Component c : order) {
            if (c.isBroker()) {
                running(c).ifPresent(h -> brokers.put(c, h));
            }
        }
        brokers.values().forEach(ProcessHandle::destroy);
        brokers.forEach((c, h) -> terminate(h, STOP_GRACE, c.id()));
        for (Component c : order) {
            if (c.isBroker()) {
                deletePidFile(c);
            }
        }
        stopped.addAll(brokers.keySet());
        return stopped;
    }

    /** Whether broker {@code c} is held down by {@code ./fmnist kill-broker}: the supervisor does not restart it. */
    public boolean held(Component c) {
        return Files.exists(settings.holdFile(c));
    }

    /** Holds broker {@code c} down: once it exits, the supervisor leaves it stopped until {@link #release}. */
    public void hold(Component c) {
        try {
            Files.createDirectories(settings.holdFile(c).getParent());
            Files.writeString(settings.holdFile(c), Instant.now() + " ./fmnist kill-broker " + c.node() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot write " + settings.holdFile(c) + ": " + e.getMessage());
        }
    }

    /** Lets the supervisor start broker {@code c} again. */
    public void release(Component c) {
        try {
            Files.deleteIfExists(settings.holdFile(c));
        } catch (IOException e) {
            throw new CliException("cannot delete " + settings.holdFile(c) + ": " + e.getMessage());
        }
    }

    /** SIGTERM, then SIGKILL when it has not ended after {@code grace}; throws when it still lives. */
    static void terminate(ProcessHandle p, Duration grace, String what) {
        p.destroy();
        try {
            p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported below if still alive
            }
        }
        if (p.isAlive()) {
            throw new CliException(what + " (pid " + p.pid() + ") did not stop");
        }
    }

    /** SIGTERM, then SIGKILL after a grace period. Removes the pid file. */
    public boolean stop(Component c) {
        Optional<ProcessHandle> h = running(c);
        boolean stopped = false;
        if (h.isPresent()) {
            terminate(h.get(), STOP_GRACE, c.id());
            stopped = true;
        }
        deletePidFile(c);
        return stopped;
    }

    private void deletePidFile(Component c) {
        try {
            Files.deleteIfExists(settings.pidFile(c));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes pid files whose process is gone (a crashed or killed run). */
    public void cleanStale() {
        for (Component c : Component.values()) {
            if (running(c).isEmpty()) {
                try {
                    Files.deleteIfExists(settings.pidFile(c));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /**
     * A port is taken when something listens on it. SO_REUSEADDR is on so that TIME-WAIT
     * connections left by a run that served traffic do not count (Linux still refuses the bind
     * while a socket listens on the port).
     */
    public static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path logOf(Component c) {
        return settings.log(c);
    }

    /** The last lines of a component's log, to explain a failure. */
    public String tail(Component c, int lines) {
        try {
            List<String> all = Files.readAllLines(settings.log(c), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + settings.log(c) + ")";
        }
    }
}
