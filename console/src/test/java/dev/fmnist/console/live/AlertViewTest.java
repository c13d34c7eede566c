package dev.fmnist.console.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import dev.fmnist.support.snapshots.SnapshotTrust;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The alerts panel: bounded, refused records (malformed, unsigned, forged) skipped and counted by reason, the
 * banner following the clock and standing through a drift episode until its clearing.
 */
class AlertViewTest {
    private static final String CONTROL_KEY = SnapshotSigning.generatePrivateKey();
    /** Inference's model-control key; the view holds its public half only. */
    private static final SnapshotSigning CONTROL = SnapshotSigning.signer(CONTROL_KEY, null);
    private static final SnapshotTrust TRUST = SnapshotTrust.of(null,
            SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(CONTROL_KEY)), false);
    private final ObjectMapper json = new ObjectMapper();
    private final EventHub hub = new EventHub(json);
    private final MutableClock clock = new MutableClock(ActiveAlertsTest.T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AlertView view = new AlertView(3, ActiveAlertsTest.RULE, hub, clock, TRUST, registry);
    private long offset;

    private static byte[] signed(Alert a) {
        return AlertCodec.encode(a, CONTROL);
    }

    @Test
    void keepsTheNewestAlertsOnlyNewestFirst() throws Exception {
        for (int i = 1; i <= 5; i++) {
            view.accept(record(signed(new Alert(Alert.Kind.PROMOTED, "fmnist-softmax",
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
        view.accept(record(signed(ActiveAlertsTest.drift("fmnist-softmax", "inference-0", 0))));
        JsonNode v = panel();
        assertEquals(1, v.path("alerts").size(), "a good record after bad ones is shown");
        assertEquals(6, v.path("received").asLong());
        assertEquals(5, v.path("undecodable").asLong());
        assertEquals(4.0, refused("malformed"));
        assertEquals(1.0, refused("oversized"));
    }

    @Test
    void anUnsignedOrForgedAlertIsNeverShownAndIsCountedByReason() throws Exception {
        Alert rolledBack = new Alert(Alert.Kind.ROLLED_BACK, "fmnist-softmax", Map.of("from", 3L, "to", 2L),
                "v3 is worse", Map.of(), "inference-0", ActiveAlertsTest.at(0));
        view.accept(record(AlertCodec.encode(rolledBack, null)));
        view.accept(record(AlertCodec.encode(rolledBack, SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null))));
        String tampered = new String(signed(rolledBack), StandardCharsets.UTF_8).replace("\"to\":2", "\"to\":1");
        view.accept(record(tampered.getBytes(StandardCharsets.UTF_8)));
        view.accept(record(AlertCodec.encode(rolledBack, null)));
        JsonNode v = panel();
        assertEquals(0, v.path("alerts").size(), "none shown");
        assertEquals(0, v.path("active").size(), "no banner");
        assertEquals(4, v.path("undecodable").asLong());
        assertEquals(2.0, refused("unsigned"));
        assertEquals(2.0, refused("forged"));
        view.accept(record(signed(rolledBack)));
        assertEquals(1, panel().path("active").size(), "the genuine one is shown");

        // a console without any key (auth on) shows nothing at all
        AlertView keyless = new AlertView(3, ActiveAlertsTest.RULE, new EventHub(json), clock,
                SnapshotTrust.of(null, null, false), registry);
        keyless.accept(record(signed(rolledBack)));
        assertEquals(1.0, refused("no-key"));
        // and one with auth off and no key shows unsigned alerts (tests, benches)
        EventHub open = new EventHub(json);
        AlertView authOff = new AlertView(3, ActiveAlertsTest.RULE, open, clock, SnapshotTrust.of(null, null, true),
                new SimpleMeterRegistry());
        authOff.accept(record(AlertCodec.encode(rolledBack, null)));
        assertEquals(1, json.readTree(open.current(AlertView.EVENT)).path("alerts").size());
    }

    @Test
    void aDriftBannerStandsThroughALongEpisodeAndGoesWithItsClearing() throws Exception {
        AlertView day = new AlertView(3, new ActiveAlerts(Duration.ofHours(24), Duration.ofMinutes(5)), hub, clock,
                TRUST, registry);
        day.accept(record(signed(ActiveAlertsTest.drift("fmnist-softmax", "inference-0", 0))));
        // three hours of drift: inference raises nothing more, and many other alerts push the start out of the list
        for (int minute = 10; minute <= 180; minute += 10) {
            clock.now = ActiveAlertsTest.at(minute);
            day.accept(record(signed(new Alert(Alert.Kind.PROMOTED, "fmnist-cnn", Map.of("candidate", (long) minute),
                    "better", Map.of(), "inference-0", clock.now))));
            JsonNode v = panel();
            assertEquals(List.of("drift"), kinds(v.path("active")), "minute " + minute);
            assertEquals("fmnist-softmax", v.at("/active/0/model").asText());
        }
        assertEquals(List.of("promoted", "promoted", "promoted"), kinds(panel().path("alerts")), "the start is no longer listed");
        clock.now = ActiveAlertsTest.at(181);
        day.accept(record(signed(ActiveAlertsTest.alert(Alert.Kind.DRIFT, "fmnist-softmax", "inference-0", clock.now,
                Map.of(Alert.CLEARED, 1.0)))));
        assertEquals(0, panel().path("active").size(), "cleared when the episode ends");
        clock.now = ActiveAlertsTest.at(24 * 60 + 1);
        day.publish();
        assertEquals(0, panel().path("active").size());
    }

    @Test
    void theDriftsHeldApartAreBounded() throws Exception {
        AlertView day = new AlertView(3, new ActiveAlerts(Duration.ofHours(24), Duration.ofMinutes(5)), hub, clock,
                TRUST, registry);
        int sources = AlertView.MAX_DRIFT_SOURCES + 50;
        for (int i = 0; i < sources; i++) {
            day.add(ActiveAlertsTest.alert(Alert.Kind.DRIFT, "fmnist-softmax", "inference-" + i,
                    ActiveAlertsTest.T0.plusSeconds(i), Map.of()));
        }
        JsonNode v = panel();
        assertEquals(AlertView.MAX_DRIFT_SOURCES, v.path("active").size(), "the newest sources' drift, no more");
        assertEquals("inference-" + (sources - 1), v.at("/active/0/source").asText());
    }

    private double refused(String reason) {
        return registry.get(AlertView.REFUSED).tag("reason", reason).counter().count();
    }

    private static List<String> kinds(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(a -> out.add(a.path("kind").asText()));
        return out;
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
                Clock.systemUTC(), TRUST, new SimpleMeterRegistry());
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
