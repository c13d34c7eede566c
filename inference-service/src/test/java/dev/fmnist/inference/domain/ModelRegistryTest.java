package dev.fmnist.inference.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.inference.config.PromotionConfig.Policy;
import dev.fmnist.inference.support.SoftmaxFit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {
    private final List<Long> swaps = new ArrayList<>();
    private final ModelRegistry registry = new ModelRegistry(3, m -> swaps.add(m.version()));

    private static LoadedModel v(long version) {
        return LoadedModel.of(SoftmaxFit.snapshot("m", version, SoftmaxFit.random(version, 0.01), Instant.EPOCH),
                Instant.EPOCH);
    }

    private List<Long> retained() {
        return registry.state().retained().stream().map(LoadedModel::version).toList();
    }

    @Test
    void newerVersionsGoLiveOlderOrEqualOnesAreIgnored() throws InterruptedException {
        assertNull(registry.live());
        assertNull(registry.awaitLive(Duration.ofMillis(10)));
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(2)));
        assertEquals(ModelRegistry.Offer.IGNORED_NOT_NEWER, registry.offer(v(2)));
        assertEquals(ModelRegistry.Offer.IGNORED_NOT_NEWER, registry.offer(v(1)));
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(5)));
        assertEquals(5, registry.awaitLive(Duration.ofMillis(10)).version());
        assertEquals(List.of(2L, 5L), swaps);
    }

    @Test
    void keepsTheNewestKVersions() {
        for (long i = 1; i <= 6; i++) {
            registry.offer(v(i));
        }
        assertEquals(List.of(4L, 5L, 6L), retained());
    }

    @Test
    void pinHoldsAVersionAgainstNewerSnapshotsAndSurvivesEviction() {
        registry.offer(v(1));
        registry.offer(v(2));
        registry.follow(1L);
        assertEquals(1, registry.live().version());
        for (long i = 3; i <= 6; i++) {
            assertEquals(ModelRegistry.Offer.RETAINED_WHILE_PINNED, registry.offer(v(i)));
        }
        assertEquals(1, registry.live().version());
        assertEquals(List.of(1L, 4L, 5L, 6L), retained());
        assertFalse(registry.state().pinPending());
        registry.follow(null);
        assertEquals(6, registry.live().version());
        assertEquals(List.of(4L, 5L, 6L), retained());
        assertEquals(List.of(1L, 2L, 1L, 6L), swaps);
    }

    @Test
    void aPinReadBeforeItsSnapshotTakesEffectWhenTheSnapshotArrives() {
        // a restarted replica: the control topic says "v2" before any snapshot is read
        registry.follow(2L);
        assertTrue(registry.state().pinPending());
        assertNull(registry.live());
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(1))); // something serves meanwhile
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(2)));
        for (long i = 3; i <= 7; i++) {
            assertEquals(ModelRegistry.Offer.RETAINED_WHILE_PINNED, registry.offer(v(i)));
        }
        assertEquals(2, registry.live().version());
        assertFalse(registry.state().pinPending());
        assertEquals(List.of(2L, 5L, 6L, 7L), retained());
    }

    @Test
    void aPinOfAVersionNotRetainedKeepsTheLiveModelAndSaysItIsPending() {
        registry.offer(v(5));
        registry.follow(3L);
        assertEquals(5, registry.live().version());
        assertTrue(registry.state().pinPending());
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(6)));
        registry.follow(null);
        assertFalse(registry.state().pinPending());
        assertEquals(6, registry.live().version());
    }

    @Test
    void rollbackTargetIsTheNewestRetainedVersionBeforeTheLiveOne() {
        registry.offer(v(1));
        registry.offer(v(2));
        registry.offer(v(3));
        assertEquals(2, registry.rollbackTarget());
        registry.follow(2L);
        assertEquals(1, registry.rollbackTarget());
        registry.follow(1L);
        assertThrows(IllegalStateException.class, registry::rollbackTarget);
        assertThrows(IllegalArgumentException.class, () -> registry.requireRetained(42));
        registry.requireRetained(3);
        registry.offer(v(4));
        assertEquals(1, registry.live().version());
        assertEquals(4, registry.follow(null).live().version());
    }

    @Test
    void rollbackWithoutModelFails() {
        assertThrows(IllegalStateException.class, registry::rollbackTarget);
        assertThrows(IllegalArgumentException.class, () -> new ModelRegistry(0, m -> { }));
    }

    private static final VersionVerdict PROMOTE = new VersionVerdict(ModelVerdict.Verdict.PROMOTE, "passed", Instant.EPOCH);
    private static final VersionVerdict REFUSE = new VersionVerdict(ModelVerdict.Verdict.REFUSE, "diverged", Instant.EPOCH);

    @Test
    void aVerdictBelowTheRetentionWindowIsReleasedOnceAndForgottenUnlessItsVersionIsRetainedOrPinned() {
        ModelRegistry gated = new ModelRegistry(3, Policy.GATED, m -> { });
        gated.decide(9, PROMOTE); // read before its snapshot (the control topic is read first): it matters
        for (long v = 1; v <= 6; v++) {
            gated.offer(v(v));
            gated.decide(v, PROMOTE);
        }
        assertEquals(6, gated.live().version());
        assertEquals(List.of(4L, 5L, 6L), gated.state().retained().stream().map(LoadedModel::version).toList());
        assertEquals(java.util.Set.of(4L, 5L, 6L, 9L), gated.state().verdicts().keySet());
        assertEquals(List.of(1L, 2L, 3L), gated.releasedVerdicts());
        assertTrue(gated.releases(2) && !gated.releases(4) && !gated.releases(9));

        // the first tombstone read back releases a key; a replayed verdict of a released version is released again
        assertFalse(gated.deleted(1));
        assertEquals(List.of(2L, 3L), gated.releasedVerdicts());
        gated.decide(1, PROMOTE);
        assertNull(gated.state().verdict(1));
        assertEquals(List.of(1L, 2L, 3L), gated.releasedVerdicts());

        // a tombstone of a retained version's verdict (unsigned, or from a replica ahead of this one) is not applied
        assertFalse(gated.deleted(5));
        assertEquals(ModelVerdict.Verdict.PROMOTE, gated.state().verdict(5).verdict());
        // one of a version not retained is (a replica starting over an uncompacted topic reads both)
        assertTrue(gated.deleted(9));
        assertNull(gated.state().verdict(9));

        // a version refused without a snapshot (diverged) matters while it is within the window; a pinned one always
        gated.decide(7, REFUSE);
        gated.follow(4L);
        gated.offer(v(8));
        gated.decide(8, PROMOTE);
        assertEquals(ModelVerdict.Verdict.REFUSE, gated.state().verdict(7).verdict());
        for (long v = 10; v <= 12; v++) {
            gated.offer(v(v));
            gated.decide(v, PROMOTE);
        }
        assertEquals(java.util.Set.of(4L, 10L, 11L, 12L), gated.state().verdicts().keySet(), "the pinned v4's stays");
        assertEquals(List.of(1L, 2L, 3L, 5L, 6L, 7L, 8L), gated.releasedVerdicts());
    }

    @Test
    void aRegistryStartedOverTheVerdictsThatMatterReachesTheSameStateAsTheRunningOne() {
        ModelRegistry running = new ModelRegistry(3, Policy.GATED, m -> { });
        for (long v = 1; v <= 8; v++) {
            running.offer(v(v));
            running.decide(v, v % 3 == 0 ? REFUSE : PROMOTE);
        }
        // what a compacted topic holds once the released keys are deleted, read before every snapshot from 1 on
        ModelRegistry fresh = new ModelRegistry(3, Policy.GATED, m -> { });
        running.state().verdicts().forEach(fresh::decide);
        for (long v = 1; v <= 8; v++) {
            fresh.offer(v(v));
        }
        assertEquals(running.state().verdicts(), fresh.state().verdicts());
        assertEquals(running.state().retained().stream().map(LoadedModel::version).toList(),
                fresh.state().retained().stream().map(LoadedModel::version).toList());
        assertEquals(running.live().version(), fresh.live().version());
        assertTrue(fresh.releasedVerdicts().isEmpty(), "nothing left to delete: " + fresh.releasedVerdicts());
        assertTrue(running.state().verdicts().size() <= 3 + 1, "the window and the live version");
    }
}
