package dev.fmnist.inference.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.support.SoftmaxFit;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OfflineGatesTest {
    private static LoadedModel withAccuracy(long version, double testAccuracy) {
        SoftmaxFit.Fit f = SoftmaxFit.random(version, 0.01);
        SoftmaxFit.Fit fit = new SoftmaxFit.Fit(f.w(), f.b(), 0.5, 0.8, testAccuracy, 1);
        return LoadedModel.of(SoftmaxFit.snapshot("m", version, fit, Instant.EPOCH), Instant.EPOCH);
    }

    @Test
    void theFirstModelOfANameNeedsOnlyTheFloor() {
        assertTrue(OfflineGates.check(withAccuracy(1, 0.51), null, 0.5, 0.005).passed());
        OfflineGates.Result low = OfflineGates.check(withAccuracy(1, 0.10), null, 0.5, 0.005);
        assertFalse(low.passed());
        assertTrue(low.reason().contains("test accuracy 0.1000 is below the floor 0.5000"), low.reason());
        assertEquals(0.10, low.figures().get("testAccuracy"));
    }

    @Test
    void aCandidateMayBeAtMostTheToleranceBelowTheLiveVersion() {
        LoadedModel live = withAccuracy(10, 0.8415);
        assertTrue(OfflineGates.check(withAccuracy(11, 0.8366), live, 0.5, 0.005).passed(), "0.0049 below");
        assertTrue(OfflineGates.check(withAccuracy(11, 0.90), live, 0.5, 0.005).passed());
        // the two measured cases of issue 24: poisoned labels (0.0435) and learning rate 1000 (0.699)
        OfflineGates.Result poisoned = OfflineGates.check(withAccuracy(11, 0.0435), live, 0.5, 0.005);
        assertFalse(poisoned.passed());
        assertTrue(poisoned.reason().contains("below the floor"), poisoned.reason());
        OfflineGates.Result diverging = OfflineGates.check(withAccuracy(11, 0.699), live, 0.5, 0.005);
        assertFalse(diverging.passed());
        assertTrue(diverging.reason().contains("test accuracy 0.6990 is below the live v10's 0.8415 minus the "
                + "tolerance 0.0050"), diverging.reason());
    }

    @Test
    void aSnapshotWithoutATestAccuracyCannotBeJudged() {
        LoadedModel unmeasured = LoadedModel.of(SoftmaxFit.snapshot("m", 2, SoftmaxFit.random(2, 0.01), Instant.EPOCH),
                Instant.EPOCH);
        OfflineGates.Result r = OfflineGates.check(unmeasured, null, 0.5, 0.005);
        assertFalse(r.passed());
        assertTrue(r.reason().contains("no test accuracy measured"), r.reason());
        // a live version without one is no yardstick: the floor decides
        assertTrue(OfflineGates.check(withAccuracy(3, 0.6), unmeasured, 0.5, 0.005).passed());
    }

    @Test
    void everyWeightMustBeFinite() {
        // a LoadedModel holds a Network, which refuses non-finite values; the rule is checked on what it holds
        LoadedModel ok = withAccuracy(1, 0.8);
        assertEquals(null, ok.firstNonFiniteWeight());
        assertTrue(OfflineGates.check(ok, null, 0.5, 0.005).passed());
        assertEquals(WeightSnapshot.Metrics.class, ok.metrics().getClass());
    }
}
