package dev.fmnist.console.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The banner rule: drift per model and replica until cleared (at most 10 minutes here, 24 hours by default),
 * refusals and rollbacks for 5.
 */
class ActiveAlertsTest {
    static final Instant T0 = Instant.parse("2026-12-07T15:00:00Z");
    static final ActiveAlerts RULE = new ActiveAlerts(Duration.ofMinutes(10), Duration.ofMinutes(5));

    static Alert alert(Alert.Kind kind, String model, String source, Instant at, Map<String, Double> figures) {
        return new Alert(kind, model, Map.of("live", 10L), kind.wire() + " of " + model, figures, source, at);
    }

    static Alert drift(String model, String source, int minute) {
        return alert(Alert.Kind.DRIFT, model, source, T0.plus(Duration.ofMinutes(minute)), Map.of("psi.meanIntensity", 2.5));
    }

    static Instant at(int minute) {
        return T0.plus(Duration.ofMinutes(minute));
    }

    @Test
    void aDriftAlertIsActiveForItsWindowThenNot() {
        List<Alert> alerts = List.of(drift("fmnist-softmax", "inference-0", 0));
        List<ActiveAlerts.Active> active = RULE.of(alerts, at(9));
        assertEquals(1, active.size());
        assertEquals(at(10), active.get(0).until());
        assertEquals(at(10), RULE.nextChange(alerts, at(9)));
        assertEquals(List.of(), RULE.of(alerts, at(10)), "the window's end is exclusive");
        assertNull(RULE.nextChange(alerts, at(10)));
    }

    @Test
    void aDriftRaisedAgainExtendsTheBannerAndOnlyTheNewestOfAModelAndReplicaCounts() {
        List<Alert> alerts = List.of(drift("fmnist-softmax", "inference-0", 0), drift("fmnist-softmax", "inference-0", 8));
        List<ActiveAlerts.Active> active = RULE.of(alerts, at(12));
        assertEquals(1, active.size(), "one banner per model and replica");
        assertEquals(at(8), active.get(0).alert().time());
        assertEquals(at(18), active.get(0).until());
    }

    @Test
    void aClearingEndsTheDriftOfItsReplicaOnly() {
        Alert cleared = alert(Alert.Kind.DRIFT, "fmnist-softmax", "inference-0", at(3), Map.of(Alert.CLEARED, 1.0));
        List<Alert> alerts = List.of(drift("fmnist-softmax", "inference-0", 0), drift("fmnist-softmax", "inference-1", 1),
                cleared, drift("fmnist-cnn", "inference-0", 2));
        List<ActiveAlerts.Active> active = RULE.of(alerts, at(4));
        assertEquals(List.of("fmnist-cnn inference-0", "fmnist-softmax inference-1"),
                active.stream().map(a -> a.alert().model() + " " + a.alert().source()).toList(), "newest first");
        // drift reported again after the clearing is active again
        List<Alert> again = List.of(drift("fmnist-softmax", "inference-0", 0), cleared, drift("fmnist-softmax", "inference-0", 5));
        assertEquals(1, RULE.of(again, at(6)).size());
        // a clearing that arrives out of order (older than the drift) does not hide it
        assertEquals(1, RULE.of(List.of(drift("fmnist-softmax", "inference-0", 5), cleared), at(6)).size());
    }

    @Test
    void aDriftEpisodeLongerThanAnyWindowOfOtherAlertsKeepsItsBannerUntilItsClearing() {
        ActiveAlerts day = new ActiveAlerts(Duration.ofHours(24), Duration.ofMinutes(5));
        List<Alert> episode = List.of(drift("fmnist-softmax", "inference-0", 0));
        for (int minute : new int[] {9, 11, 60, 180, 600}) {
            assertEquals(1, day.of(episode, at(minute)).size(), "minute " + minute + " of the episode");
        }
        List<Alert> ended = List.of(drift("fmnist-softmax", "inference-0", 0),
                alert(Alert.Kind.DRIFT, "fmnist-softmax", "inference-0", at(600), Map.of(Alert.CLEARED, 1.0)));
        assertEquals(List.of(), day.of(ended, at(600)), "gone with the clearing");
        assertNull(day.nextChange(ended.subList(1, 2), at(600)), "a clearing has no window of its own");
        // a replica stopped mid-episode never clears: the bound takes its banner down
        assertEquals(List.of(), day.of(episode, at(24 * 60)));
    }

    @Test
    void refusalsAndRollbacksAreActiveForTheirWindowGroupedByModelAndKindAndPromotionsNever() {
        List<Alert> alerts = List.of(
                alert(Alert.Kind.REFUSED, "fmnist-softmax", "inference-0", at(0), Map.of("testAccuracy", 0.04)),
                alert(Alert.Kind.REFUSED, "fmnist-softmax", "inference-0", at(2), Map.of("testAccuracy", 0.05)),
                alert(Alert.Kind.ROLLED_BACK, "fmnist-softmax", "inference-0", at(1), Map.of()),
                alert(Alert.Kind.PROMOTED, "fmnist-cnn", "inference-0", at(3), Map.of()));
        List<ActiveAlerts.Active> active = RULE.of(alerts, at(4));
        assertEquals(2, active.size(), active.toString());
        ActiveAlerts.Active refused = active.get(0);
        assertEquals(Alert.Kind.REFUSED, refused.alert().kind());
        assertEquals(2, refused.count(), "two refusals of the model in the window: one banner");
        assertEquals(at(2), refused.alert().time(), "the newest is shown");
        assertEquals(at(7), refused.until());
        assertEquals(Alert.Kind.ROLLED_BACK, active.get(1).alert().kind());
        assertEquals(at(5), RULE.nextChange(alerts, at(4)), "the first refusal's window ends first: the count drops");
        // at minute 5.5 the first refusal is over: the refusal banner counts one, the rollback is still up
        List<ActiveAlerts.Active> later = RULE.of(alerts, at(5).plusSeconds(30));
        assertEquals(2, later.size());
        assertEquals(1, later.get(0).count());
        assertEquals(at(6), RULE.nextChange(alerts, at(5).plusSeconds(30)));
        // at minute 6 the rollback's window is over too
        assertEquals(List.of(Alert.Kind.REFUSED), RULE.of(alerts, at(6)).stream().map(a -> a.alert().kind()).toList());
        assertTrue(RULE.of(alerts, at(8)).isEmpty());
    }
}
