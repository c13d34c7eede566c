package dev.fmnist.console.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The alerts panel: bounded, undecodable records skipped and counted, the banner following the clock. */
class AlertViewTest {
    private final ObjectMapper json = new ObjectMapper();
    private final EventHub hub = new EventHub(json);
    private final MutableClock clock = new MutableClock(ActiveAlertsTest.T0);
    private final AlertView view = new AlertView(3, ActiveAlertsTest.RULE, hub, clock);
    private long offset;

    @Test
    void keepsTheNewestAlertsOnlyNewestFirst() throws Exception {
        for (int i = 1; i <= 5; i++) {
            view.accept(record(AlertCodec.encode(new Alert(Alert.Kind.PROMOTED, "fmnist-softmax",
                    Map.of("candidate", (long) i), "v" + i + " is better", Map.of("testAccuracy", 0.8), "inference-0",
                    ActiveAlertsTest.at(i)))));
        }
        JsonNode v = panel();
        assertEquals(3, v.path("alerts").size(), "at most keep-alerts held");
        assertEquals(5, v.path("received").asLong());
        assertEquals(5, v.at("/alerts/0/versions/candidate").asLong(), "newest first");
        assertEquals(3, v.at("/alerts/2/versions/candidate").asLong());
        assertEquals("promoted", v.at("/alerts/0/kind").asText(), "the wire spelling");
        assertEquals("2026-12-07T15:05:00Z", v.at("/alerts/0/time").asText());
        assertEquals(0.8, v.at("/alerts/0/figures/testAccuracy").asDouble());
        assertEquals(0, v.path("active").size(), "a promotion is no banner");
    }

    @Test
    void aRecordTheCodecRefusesIsSkippedAndCountedAndTheViewGoesOn() throws Exception {
        view.accept(record("not json".getBytes(StandardCharsets.UTF_8)));
        view.accept(record(null));
        view.accept(record(new byte[AlertCodec.MAX_RECORD_BYTES + 1]));
        view.accept(record(("{\"kind\":\"exploded\",\"model\":\"fmnist-softmax\",\"reason\":\"r\",\"source\":\"s\","
                + "\"time\":\"2026-12-07T15:00:00Z\"}").getBytes(StandardCharsets.UTF_8)));
        view.accept(record(("{\"kind\":\"drift\",\"model\":\"fmnist-softmax\",\"reason\":\"r\",\"source\":\"s\","
                + "\"time\":\"2026-12-07T15:00:00Z\",\"figures\":{\"psi\":\"NaN\"}}").getBytes(StandardCharsets.UTF_8)));
        JsonNode bad = panel();
        assertEquals(5, bad.path("undecodable").asLong());
        assertEquals(0, bad.path("alerts").size());
        view.accept(record(AlertCodec.encode(ActiveAlertsTest.drift("fmnist-softmax", "inference-0", 0))));
        JsonNode v = panel();
        assertEquals(1, v.path("alerts").size(), "a good record after bad ones is shown");
        assertEquals(6, v.path("received").asLong());
        assertEquals(5, v.path("undecodable").asLong());
    }

    @Test
    void theBannerShowsAnActiveDriftAndDropsItWhenItsWindowEnds() throws Exception {
        view.add(ActiveAlertsTest.drift("fmnist-softmax", "inference-0", 0));
        JsonNode v = panel();
        assertEquals(1, v.path("active").size());
        assertEquals("drift", v.at("/active/0/kind").asText());
        assertEquals("fmnist-softmax", v.at("/active/0/model").asText());
        assertEquals("2026-12-07T15:10:00Z", v.at("/active/0/until").asText());
        assertEquals(2.5, v.at("/active/0/figures/psi.meanIntensity").asDouble());
        assertEquals(600, v.path("driftActiveSeconds").asLong());

        clock.now = ActiveAlertsTest.at(10);
        view.publish(); // what the expiry timer does at that moment
        JsonNode after = panel();
        assertEquals(0, after.path("active").size(), "expired");
        assertEquals(1, after.path("alerts").size(), "still listed");
    }

    @Test
    void theTimerTakesTheBannerDownWithoutANewRecord() throws Exception {
        AlertView real = new AlertView(10, new ActiveAlerts(Duration.ofMillis(300), Duration.ofMinutes(5)), hub,
                Clock.systemUTC());
        real.add(new Alert(Alert.Kind.DRIFT, "fmnist-softmax", Map.of(), "inputs drifted", Map.of(), "inference-0",
                Instant.now()));
        assertEquals(1, panel().path("active").size());
        Awaitility.await("the expiry timer publishes the view again").atMost(Duration.ofSeconds(10))
                .until(() -> panel().path("active").size() == 0);
        assertEquals(1, panel().path("alerts").size(), "still listed");
    }

    private JsonNode panel() throws Exception {
        return json.readTree(hub.current(AlertView.EVENT));
    }

    private ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>(Topics.ALERTS, 0, offset++, "fmnist-softmax".getBytes(StandardCharsets.UTF_8), value);
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
