package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@code up -d} shows of its background supervisor's output, and how it learns the outcome. */
class LogRelayTest {
    private final ByteArrayOutputStream shown = new ByteArrayOutputStream();
    private final LogRelay relay = new LogRelay(shown);

    private void feed(String... chunks) {
        for (String c : chunks) {
            byte[] b = c.getBytes(StandardCharsets.UTF_8);
            relay.accept(b, b.length);
        }
    }

    @Test
    void relaysPartialLinesAsTheyComeAndStopsAtReady() {
        feed("data: /d\nkafka: starting on localhost:9092 ", "..");
        assertEquals("data: /d\nkafka: starting on localhost:9092 ..", shown.toString(StandardCharsets.UTF_8),
                "dots shown before their line ends");
        feed("..ready\n==== 2025-01-01T00:00:00Z a header\nserving model v3 — ok\n===", "= rea", "dy\n2025 trainer exited\n");
        assertEquals(LogRelay.State.READY, relay.state());
        assertEquals("data: /d\nkafka: starting on localhost:9092 ....ready\nserving model v3 — ok\n",
                shown.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFailureCarriesItsCodeAndReason() {
        feed("data: /d\nstopping what was started\n==== failed 3\nport 19092 for kafka is taken\n",
                "==== 2025-01-01T00:00:00Z supervisor stopped: nothing is restarted any more\n");
        assertEquals(LogRelay.State.FAILED, relay.state());
        assertEquals(3, relay.exitCode());
        assertEquals("port 19092 for kafka is taken", relay.reason());
        assertEquals("data: /d\nstopping what was started\n", shown.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shortLinesAndEqualSignsThatAreNoMarker() {
        feed("\n", "ab\n", "== x\n", "====x\n");
        assertEquals("\nab\n== x\n====x\n", shown.toString(StandardCharsets.UTF_8));
        assertEquals(LogRelay.State.RELAYING, relay.state());
    }
}
