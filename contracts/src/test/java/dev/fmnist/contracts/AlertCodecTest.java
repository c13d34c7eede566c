package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertCodecTest {
    private static final Alert REFUSED = new Alert(Alert.Kind.REFUSED, "fmnist-softmax",
            Map.of("candidate", 11L, "live", 10L), "test accuracy 0.0435 is below the live model's 0.8415 - 0.005",
            Map.of("testAccuracy", 0.0435, "liveTestAccuracy", 0.8415), "inference-0", Instant.parse("2026-12-07T15:00:00Z"));

    @Test
    void roundTripsEveryKind() {
        for (Alert.Kind kind : Alert.Kind.values()) {
            Alert a = new Alert(kind, REFUSED.model(), REFUSED.versions(), REFUSED.reason(), REFUSED.figures(),
                    REFUSED.source(), REFUSED.time());
            assertEquals(a, AlertCodec.decode(AlertCodec.encode(a)));
        }
        String json = new String(AlertCodec.encode(REFUSED), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"kind\":\"refused\""), json);
        assertTrue(json.contains("\"time\":\"2026-12-07T15:00:00Z\""), json);
        assertEquals("rolled-back", Alert.Kind.ROLLED_BACK.wire());
    }

    @Test
    void refusesWhatIsNotAnAlert() {
        for (String bad : new String[] {"", "[]", "{}", "{\"kind\":\"panic\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\"}",
                "{\"kind\":\"drift\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"yesterday\"}",
                "{\"kind\":\"drift\",\"model\":\"a b\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\"}",
                "{\"kind\":\"drift\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\",\"versions\":{\"live\":-1}}",
                "{\"kind\":\"drift\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\"} trailing"}) {
            assertThrows(WireFormatException.class, () -> AlertCodec.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
        assertThrows(WireFormatException.class, () -> AlertCodec.decode(null));
        assertThrows(WireFormatException.class, () -> AlertCodec.decode(new byte[AlertCodec.MAX_RECORD_BYTES + 1]));
        assertThrows(IllegalArgumentException.class, () -> new Alert(Alert.Kind.DRIFT, "m", Map.of(), "r",
                Map.of("psi", Double.NaN), "s", Instant.EPOCH));
    }

    @Test
    void cutsAnOverlongReason() {
        Alert a = new Alert(Alert.Kind.DRIFT, "m", Map.of(), "x".repeat(5000), Map.of(), "s", Instant.EPOCH);
        assertEquals(Alert.MAX_REASON, a.reason().length());
    }
}
