package dev.fmnist.inference.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShadowGateTest {
    @Test
    void waitsForTheLabelledRequestsItNeeds() {
        assertEquals(ShadowGate.Outcome.WAIT, ShadowGate.decide(499, 499, 0, 500, 0.005).outcome());
    }

    @Test
    void passesWhenAtLeastAsGoodAsLiveMinusTheToleranceOnTheSameRequests() {
        assertEquals(ShadowGate.Outcome.PASS, ShadowGate.decide(500, 420, 420, 500, 0.005).outcome(), "equal");
        assertEquals(ShadowGate.Outcome.PASS, ShadowGate.decide(1000, 836, 840, 1000, 0.005).outcome(), "0.004 below");
        ShadowGate.Result worse = ShadowGate.decide(1000, 834, 840, 1000, 0.005);
        assertEquals(ShadowGate.Outcome.FAIL, worse.outcome(), "0.006 below");
        assertTrue(worse.reason().contains("online accuracy 0.8340 on 1000 labelled requests shadowed, below the live "
                + "version's 0.8400"), worse.reason());
    }
}
