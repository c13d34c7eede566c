package dev.fmnist.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Restarts a watched component that exits, with the {@link Launch} (command line and environment) it was
 * started with, after the {@link RestartPolicy}'s backoff. Each restart is counted in {@link Restarts} and
 * reported: a paragraph on the event stream (the supervisor log) with the exit code, the uptime, the last
 * lines of the component's log and the backoff, and one line in the component's own log.
 *
 * <p>The components are children of this process (started by {@link Supervisor}), so their exit codes
 * are known. After {@link #stop()} returns nothing is restarted any more: a component stopped on purpose
 * ({@code down}, Ctrl-C) stays stopped.
 */
public final class Watchdog {
    private static final int TAIL_LINES = 10;
    /** How often a broker held down by kill-broker is checked for start-broker's release. */
    private static final Duration HOLD_POLL = Duration.ofMillis(500);

    private final Supervisor supervisor;
    private final RestartPolicy policy;
    private final Restarts restarts;
    private final PrintStream events;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fmnist-watchdog");
        t.setDaemon(true);
        return t;
    });
    private final Map<Component, Watched> watched = new EnumMap<>(Component.class);
    private boolean stopped;

    /** A watched component: how to start it, its current process, since when, its crashes in a row. */
    private static final class Watched {
        final Launch launch;
        Process process;
        Instant since;
        int consecutive;

        Watched(Launch launch) {
            this.launch = launch;
        }
    }

    public Watchdog(Supervisor supervisor, RestartPolicy policy, Restarts restarts, PrintStream events, Clock clock) {
        this.supervisor = supervisor;
        this.policy = policy;
        this.restarts = restarts;
        this.events = events;
        this.clock = clock;
    }

    /** Watches a running component from now on; {@code launch} is how it was started. */
    public synchronized void watch(Component c, Launch launch, Process process) {
        if (stopped) {
            return;
        }
        Watched w = new Watched(launch);
        watched.put(c, w);
        follow(c, w, process);
        // it was started before it was handed over: its uptime counts from its real start
        process.info().startInstant().filter(t -> t.isBefore(w.since)).ifPresent(t -> w.since = t);
    }

    public synchronized Set<Component> watching() {
        return watched.isEmpty() ? EnumSet.noneOf(Component.class) : EnumSet.copyOf(watched.keySet());
    }

    /** The components that crashed {@link RestartPolicy#crashLoopAfter} times in a row, each quickly. */
    public synchronized Set<Component> crashLooping() {
        Set<Component> looping = EnumSet.noneOf(Component.class);
        watched.forEach((c, w) -> {
            if (policy.crashLooping(w.consecutive)) {
                looping.add(c);
            }
        });
        return looping;
    }

    /** No restart from now on (a restart in progress has finished when this returns). */
    public void stop() {
        synchronized (this) {
            stopped = true;
        }
        timer.shutdownNow();
    }

    public synchronized boolean stopped() {
        return stopped;
    }

    private void follow(Component c, Watched w, Process p) {
        w.process = p;
        w.since = clock.instant();
        p.onExit().thenRun(() -> exited(c, w, p, OptionalInt.of(p.exitValue()), null));
    }

    private synchronized void exited(Component c, Watched w, Process p, OptionalInt exit, String startError) {
        if (stopped || w.process != p) {
            return;
        }
        Instant now = clock.instant();
        if (c.isBroker() && supervisor.held(c)) {
            // a drill's kill-broker: not a crash, and not restarted until start-broker lifts the hold
            events.println(now + " " + c.id() + " exited" + (exit.isPresent() ? " with exit " + exit.getAsInt() + signal(exit) : "")
                    + ", held down by ./fmnist kill-broker " + c.node() + ": not restarted until ./fmnist start-broker " + c.node());
            events.flush();
            timer.schedule(() -> restartWhenReleased(c, w), HOLD_POLL.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        Duration uptime = p == null ? Duration.ZERO : Duration.between(w.since, now);
        w.consecutive = policy.consecutive(w.consecutive, uptime);
        Duration backoff = policy.backoff(w.consecutive);
        Restarts.Entry entry = restarts.record(c, exit, now, uptime, w.consecutive, backoff);
        report(c, entry, startError);
        timer.schedule(() -> restart(c, w), backoff.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void restartWhenReleased(Component c, Watched w) {
        if (stopped) {
            return;
        }
        if (supervisor.held(c)) {
            timer.schedule(() -> restartWhenReleased(c, w), HOLD_POLL.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        events.println(clock.instant() + " " + c.id() + " released by ./fmnist start-broker " + c.node() + ": starting it");
        events.flush();
        restart(c, w);
    }

    private synchronized void restart(Component c, Watched w) {
        if (stopped) {
            return;
        }
        try {
            follow(c, w, supervisor.start(c, w.launch));
        } catch (CliException e) {
            w.process = null; // counts as a crash at once, with no exit code
            exited(c, w, null, OptionalInt.empty(), e.getMessage());
        }
    }

    private void report(Component c, Restarts.Entry e, String startError) {
        String why = startError != null ? "could not be started (" + startError + ")"
                : "exited with " + e.cause() + signal(e.exitCode()) + " after " + human(e.uptime());
        String looping = policy.crashLooping(e.consecutive()) ? ", crash-looping (" + e.consecutive() + " crashes in a row)" : "";
        String line = c.id() + " " + why + "; restart " + e.count() + " in " + human(e.backoff()) + looping;
        String tail = supervisor.tail(c, TAIL_LINES);
        events.println(e.at() + " " + line);
        events.println("    last lines of " + supervisor.logOf(c) + ":");
        tail.lines().forEach(l -> events.println("    | " + l));
        events.flush();
        try {
            Files.writeString(supervisor.logOf(c), "==== " + e.at() + " " + line + " (./fmnist supervisor)\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            events.println("    (cannot append to " + supervisor.logOf(c) + ": " + ex.getMessage() + ")");
        }
    }

    /** {@code  (SIGKILL)} for 128+9 and the like: how a process killed by a signal shows. */
    static String signal(OptionalInt exit) {
        if (exit.isEmpty() || exit.getAsInt() <= 128 || exit.getAsInt() >= 160) {
            return "";
        }
        int s = exit.getAsInt() - 128;
        String name = switch (s) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 6 -> "SIGABRT";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> "signal " + s;
        };
        return " (" + name + ")";
    }

    /** 850 ms, 4 s, 2 min 13 s, 1 h 02 min. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        long s = d.toSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return String.format(java.util.Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60);
    }
}
