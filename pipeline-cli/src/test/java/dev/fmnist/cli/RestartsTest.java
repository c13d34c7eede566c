package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restart bookkeeping: the file the supervisor keeps and status reads, and the supervisor's own output. */
class RestartsTest {
    @TempDir
    Path home;

    @Test
    void countsPerComponentSurviveAReread() throws Exception {
        Path file = home.resolve("run/restarts.properties");
        Restarts book = new Restarts(file);
        assertTrue(book.read().isEmpty());
        Instant at = Instant.parse("2025-03-04T14:02:07Z");
        book.record(Component.TRAINER, OptionalInt.of(137), at, Duration.ofMinutes(3), 1, Duration.ofSeconds(1));
        Restarts.Entry e = book.record(Component.TRAINER, OptionalInt.of(3), at.plusSeconds(5), Duration.ofSeconds(4), 2,
                Duration.ofSeconds(2));
        book.record(Component.KAFKA, OptionalInt.empty(), at, Duration.ZERO, 1, Duration.ofSeconds(1));
        assertEquals(2, e.count());

        Map<Component, Restarts.Entry> read = new Restarts(file).read();
        assertEquals(Map.of(Component.TRAINER, e, Component.KAFKA, read.get(Component.KAFKA)), read);
        assertEquals(new Restarts.Entry(2, 2, OptionalInt.of(3), at.plusSeconds(5), Duration.ofSeconds(4), Duration.ofSeconds(2)),
                read.get(Component.TRAINER));
        assertEquals("restarts 2 (last: exit 3 at 14:02:12)", read.get(Component.TRAINER).describe(ZoneOffset.UTC));
        assertEquals("restarts 1 (last: start failed at 14:02:07)", read.get(Component.KAFKA).describe(ZoneOffset.UTC));
        String text = Files.readString(file);
        assertTrue(text.contains("trainer.restarts=2") && text.contains("trainer.last-exit=3"), text);

        book.clear();
        assertTrue(book.read().isEmpty());
        assertFalse(Files.exists(file));
    }

    @Test
    void aDamagedFileHidesOnlyItsEntry() throws Exception {
        Path file = home.resolve("restarts.properties");
        Files.writeString(file, "trainer.restarts=x\ningest.restarts=1\ningest.consecutive=1\ningest.last-at=2025-01-01T00:00:00Z\n");
        assertEquals(List.of(Component.INGEST), List.copyOf(new Restarts(file).read().keySet()));
    }

    @Test
    void statusShowsRestartsAndTheSupervisor() {
        Settings s = Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
        Instant at = Instant.parse("2025-03-04T14:02:07Z");
        new Restarts(s.restartsFile()).record(Component.TRAINER, OptionalInt.of(3), at, Duration.ofSeconds(9), 1,
                Duration.ofSeconds(1));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertEquals(0, Main.run(s, List.of("status"), new PrintStream(buf, true, StandardCharsets.UTF_8), System.err));
        String text = buf.toString(StandardCharsets.UTF_8);
        String clock = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").format(at.atZone(ZoneId.systemDefault()));
        assertTrue(text.contains("trainer    stopped") && text.contains(", restarts 1 (last: exit 3 at " + clock + ")"), text);
        assertTrue(text.contains("supervisor stopped    not running"), text);
        assertTrue(text.contains("nothing is running"), text);
    }

    @Test
    void signalsAndDurationsReadWell() {
        assertEquals(" (SIGKILL)", Watchdog.signal(OptionalInt.of(137)));
        assertEquals(" (SIGTERM)", Watchdog.signal(OptionalInt.of(143)));
        assertEquals("", Watchdog.signal(OptionalInt.of(3)));
        assertEquals("", Watchdog.signal(OptionalInt.empty()));
        assertEquals("200 ms", Watchdog.human(Duration.ofMillis(200)));
        assertEquals("4 s", Watchdog.human(Duration.ofMillis(4_900)));
        assertEquals("2 min 13 s", Watchdog.human(Duration.ofSeconds(133)));
        assertEquals("1 h 02 min", Watchdog.human(Duration.ofMinutes(62)));
    }
}
