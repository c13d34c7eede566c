package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watchdog with real child processes: a small JVM killed with SIGKILL, one that exits with 3. */
class WatchdogTest {
    private static final RestartPolicy FAST = new RestartPolicy(Duration.ofMillis(200), Duration.ofMillis(400),
            Duration.ofMinutes(5), 10);

    @TempDir
    Path home;

    private Supervisor supervisor;
    private Watchdog watchdog;

    @AfterEach
    void stopEverything() {
        if (watchdog != null) {
            watchdog.stop();
        }
        if (supervisor != null) {
            supervisor.stopAll();
        }
    }

    @Test
    void restartsAKilledComponentWithItsLaunchAndStopsRestartingWhenStopped() throws Exception {
        Settings settings = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        supervisor = new Supervisor(settings);
        Restarts restarts = new Restarts(settings.restartsFile());
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        watchdog = new Watchdog(supervisor, FAST, restarts, new PrintStream(events, true, StandardCharsets.UTF_8),
                Clock.systemUTC());
        Path exitFile = home.resolve("exit-now");
        Launch launch = sleeper(exitFile, Component.TRAINER);

        Process first = supervisor.start(Component.TRAINER, launch);
        watchdog.watch(Component.TRAINER, launch, first);
        awaitTrue("the first process up", () -> supervisor.running(Component.TRAINER).isPresent());

        first.destroyForcibly(); // kill -9
        ProcessHandle second = await("a restarted trainer", () -> supervisor.running(Component.TRAINER)
                .filter(h -> h.pid() != first.pid()));
        assertEquals(137, first.exitValue());
        Restarts.Entry one = restarts.of(Component.TRAINER).orElseThrow();
        assertEquals(1, one.count());
        assertEquals(137, one.exitCode().getAsInt());
        assertEquals(Duration.ofMillis(200), one.backoff());
        assertTrue(Files.readString(settings.restartsFile()).contains("trainer.last-exit=137"));
        assertTrue(second.info().commandLine().orElse("").contains(exitFile.toString()), "the same command line");
        String env = Files.readString(Path.of("/proc/" + second.pid() + "/environ")).replace('\0', '\n');
        assertTrue(env.contains("FMNIST_WATCHDOG_TEST=yes"), "the same environment");

        Files.writeString(exitFile, "3"); // a crash with a code of its own, soon after the restart: 2 in a row
        ProcessHandle third = await("a trainer restarted after exit 3", () -> supervisor.running(Component.TRAINER)
                .filter(h -> h.pid() != second.pid()));
        Restarts.Entry two = restarts.of(Component.TRAINER).orElseThrow();
        assertEquals(2, two.count());
        assertEquals(3, two.exitCode().getAsInt());
        assertEquals(2, two.consecutive());
        assertEquals(Duration.ofMillis(400), two.backoff());
        assertFalse(watchdog.crashLooping().contains(Component.TRAINER));

        String log = events.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("trainer exited with exit 137 (SIGKILL) after"), log);
        assertTrue(log.contains("restart 1 in 200 ms"), log);
        assertTrue(log.contains("trainer exited with exit 3 after"), log);
        assertTrue(log.contains("    | sleeper exiting with 3"), "the last lines of its log: " + log);
        String own = Files.readString(settings.log(Component.TRAINER));
        assertTrue(own.contains("trainer exited with exit 3 after"), own);

        watchdog.stop(); // what down and Ctrl-C do first
        third.destroyForcibly();
        third.onExit().get();
        // for more than twice the longest backoff
        Awaitility.await("not restarted after the watchdog was stopped").during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(10)).until(() -> supervisor.running(Component.TRAINER).isEmpty());
        assertEquals(2, restarts.of(Component.TRAINER).orElseThrow().count());
    }

    @Test
    void aComponentThatKeepsCrashingIsCrashLoopingAndStillRestarted() throws Exception {
        Settings settings = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        supervisor = new Supervisor(settings);
        Restarts restarts = new Restarts(settings.restartsFile());
        RestartPolicy policy = new RestartPolicy(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMinutes(5), 3);
        watchdog = new Watchdog(supervisor, policy, restarts, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), Clock.systemUTC());
        Path exitFile = home.resolve("exit-always");
        Files.writeString(exitFile, "5 keep");
        Launch launch = sleeper(exitFile, Component.INGEST);
        watchdog.watch(Component.INGEST, launch, supervisor.start(Component.INGEST, launch));
        awaitTrue("four crashes in a row", () -> restarts.of(Component.INGEST).map(e -> e.count() >= 4).orElse(false));
        assertTrue(watchdog.crashLooping().contains(Component.INGEST));
        Restarts.Entry e = restarts.of(Component.INGEST).orElseThrow();
        assertEquals(5, e.exitCode().getAsInt());
        assertEquals(Duration.ofMillis(40), e.backoff(), "capped");
        assertTrue(policy.crashLooping(e, false, java.time.Instant.now()));
        watchdog.stop();
    }

    @Test
    void aBrokerHeldDownByKillBrokerIsNotRestartedUntilReleased() throws Exception {
        Settings settings = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        supervisor = new Supervisor(settings);
        Restarts restarts = new Restarts(settings.restartsFile());
        ByteArrayOutputStream events = new ByteArrayOutputStream();
        watchdog = new Watchdog(supervisor, FAST, restarts, new PrintStream(events, true, StandardCharsets.UTF_8),
                Clock.systemUTC());
        Launch launch = sleeper(home.resolve("exit-now"), Component.KAFKA_2);
        Process first = supervisor.start(Component.KAFKA_2, launch);
        watchdog.watch(Component.KAFKA_2, launch, first);
        awaitTrue("the broker up", () -> supervisor.running(Component.KAFKA_2).isPresent());

        supervisor.hold(Component.KAFKA_2); // what kill-broker does before its SIGKILL
        first.destroyForcibly();
        awaitTrue("the exit reported", () -> events.toString(StandardCharsets.UTF_8).contains("held down by ./fmnist kill-broker 2"));
        Thread.sleep(1_500); // several backoffs of FAST: a crash would have been restarted by now
        assertTrue(supervisor.running(Component.KAFKA_2).isEmpty(), "a held broker stays down");
        assertTrue(restarts.of(Component.KAFKA_2).isEmpty(), "a drill's kill is no crash");

        supervisor.release(Component.KAFKA_2); // start-broker
        ProcessHandle back = await("the released broker", () -> supervisor.running(Component.KAFKA_2)
                .filter(h -> h.pid() != first.pid()));
        assertTrue(back.isAlive());
        assertTrue(events.toString(StandardCharsets.UTF_8).contains("kafka-2 released by ./fmnist start-broker 2"));
    }

    private static Launch sleeper(Path exitFile, Component as) throws Exception {
        Path classes = Path.of(Sleeper.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return new Launch(List.of(Orchestrator.java(), "-Xmx16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classes.toString(), Sleeper.class.getName(), as.marker(), exitFile.toString()),
                Map.of("FMNIST_WATCHDOG_TEST", "yes"));
    }

    @Test
    void noStartOnceStartsAreRefused() {
        Settings settings = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        supervisor = new Supervisor(settings);
        supervisor.refuseStarts();
        CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> supervisor.start(Component.INGEST, List.of("true")));
        assertTrue(e.getMessage().contains("stopping"), e.getMessage());
        assertFalse(Files.exists(settings.pidFile(Component.INGEST)));
    }

    private static <T> T await(String what, Supplier<Optional<T>> check) {
        return Awaitility.await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(check::get, Optional::isPresent).get();
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier check) {
        Awaitility.await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(check::getAsBoolean);
    }
}
