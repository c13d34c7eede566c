package dev.fmnist.inference.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.ModelVerdict.Verdict;
import dev.fmnist.inference.config.PromotionConfig.Policy;
import dev.fmnist.inference.support.SoftmaxFit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The serving rule through the registry that applies it: pins, verdicts, both policies, retention. */
class ServingRuleTest {
    private final List<Long> swaps = new ArrayList<>();
    private final ModelRegistry gated = new ModelRegistry(3, Policy.GATED, m -> swaps.add(m.version()));
    private final ModelRegistry latest = new ModelRegistry(3, Policy.LATEST, m -> { });
    private long clock = 1000;

    private static LoadedModel v(long version) {
        return LoadedModel.of(SoftmaxFit.snapshot("m", version, SoftmaxFit.random(version, 0.01), Instant.EPOCH),
                Instant.EPOCH);
    }

    private VersionVerdict verdict(Verdict v) {
        return new VersionVerdict(v, v.wire() + " for a reason", Instant.ofEpochMilli(clock++));
    }

    private static List<Long> versions(List<LoadedModel> models) {
        return models.stream().map(LoadedModel::version).toList();
    }

    /** Version {@code epoch} of a planned run of {@code planned} epochs. */
    private static LoadedModel epoch(int epoch, int planned) {
        SoftmaxFit.Fit fit = SoftmaxFit.random(epoch, 0.01);
        return LoadedModel.of(new dev.fmnist.contracts.WeightSnapshot("m", epoch, epoch, epoch * 235L, fit.w(), fit.b(),
                new dev.fmnist.contracts.WeightSnapshot.Hyperparameters(0.1, 256, 0),
                new dev.fmnist.contracts.WeightSnapshot.Metrics(0.5, 0.8, 0.8), List.of(), Instant.EPOCH,
                new dev.fmnist.contracts.WeightSnapshot.Plan(planned)), Instant.EPOCH);
    }

    @Test
    void onceAVersionServesARunsEpochsBeforeItsLastAreCheckpointsNotCandidates() {
        for (int e = 1; e <= 3; e++) {
            gated.offer(epoch(e, 10));
        }
        assertEquals(List.of(1L, 2L, 3L), versions(gated.state().candidates()),
                "while nothing serves, every epoch may become the first model");
        gated.decide(1, verdict(Verdict.PROMOTE));
        assertTrue(gated.state().candidates().isEmpty(), "epochs 2-3 of 10 are checkpoints once v1 serves");
        assertTrue(ServingRule.checkpoint(Policy.GATED, epoch(4, 10), gated.live(), null));
        for (int e = 5; e <= 10; e++) {
            gated.offer(epoch(e, 10));
        }
        assertEquals(List.of(10L), versions(gated.state().candidates()), "the run's last planned epoch is judged");
        gated.decide(10, verdict(Verdict.PROMOTE));
        assertEquals(10, gated.live().version());
        gated.offer(epoch(11, 11));
        assertEquals(List.of(11L), versions(gated.state().candidates()), "a one-epoch run's only epoch is its last");
        gated.offer(epoch(12, 0));
        assertEquals(List.of(11L, 12L), versions(gated.state().candidates()), "continuous-mode snapshots are candidates");
        assertFalse(ServingRule.checkpoint(Policy.LATEST, epoch(4, 10), gated.live(), null), "latest judges nothing");
    }

    @Test
    void underGatedANewVersionIsACandidateAndServesOnlyOncePromoted() {
        assertEquals(ModelRegistry.Offer.CANDIDATE, gated.offer(v(1)));
        assertNull(gated.live(), "nothing serves before a first promotion");
        assertEquals(List.of(1L), versions(gated.state().candidates()));
        gated.decide(1, verdict(Verdict.PROMOTE));
        assertEquals(1, gated.live().version());
        assertTrue(gated.state().candidates().isEmpty());
        gated.offer(v(2));
        gated.offer(v(3));
        assertEquals(1, gated.live().version(), "candidates do not serve");
        assertEquals(List.of(2L, 3L), versions(gated.state().candidates()));
        gated.decide(3, verdict(Verdict.REFUSE));
        gated.decide(2, verdict(Verdict.PROMOTE));
        assertEquals(2, gated.live().version());
        assertEquals(1, gated.state().baseline().version(), "the previous promoted version is the baseline");
        assertEquals(List.of(1L, 2L), swaps);
    }

    @Test
    void aRollbackReplacesAPromoteAndThePreviousPromotedVersionServesAgain() {
        gated.offer(v(1));
        gated.decide(1, verdict(Verdict.PROMOTE));
        gated.offer(v(2));
        gated.decide(2, verdict(Verdict.PROMOTE));
        assertEquals(2, gated.live().version());
        gated.decide(2, verdict(Verdict.ROLL_BACK));
        assertEquals(1, gated.live().version());
        assertNull(gated.state().baseline());
        assertEquals(Verdict.ROLL_BACK, gated.state().verdict(2).verdict());
    }

    @Test
    void aReplayedOlderVerdictIsIgnored() {
        gated.offer(v(1));
        VersionVerdict promote = verdict(Verdict.PROMOTE);
        VersionVerdict rollBack = verdict(Verdict.ROLL_BACK);
        assertTrue(gated.decide(1, promote));
        assertTrue(gated.decide(1, rollBack));
        assertFalse(gated.decide(1, promote), "a replay of the promote does not undo the rollback");
        assertNull(gated.live());
    }

    @Test
    void anAdminPinWinsOverEveryVerdict() {
        gated.offer(v(1));
        gated.decide(1, verdict(Verdict.PROMOTE));
        gated.offer(v(2));
        gated.decide(2, verdict(Verdict.REFUSE));
        gated.follow(2L);
        assertEquals(2, gated.live().version(), "a refused version can still be pinned");
        assertNull(gated.state().baseline(), "no rollback test while pinned");
        gated.follow(null);
        assertEquals(1, gated.live().version());
    }

    @Test
    void underLatestTheNewestVersionServesUnlessRefusedOrRolledBack() {
        assertEquals(ModelRegistry.Offer.SWAPPED, latest.offer(v(1)));
        assertEquals(ModelRegistry.Offer.SWAPPED, latest.offer(v(2)));
        assertTrue(latest.state().candidates().isEmpty());
        assertEquals(1, latest.state().baseline().version());
        latest.decide(2, verdict(Verdict.ROLL_BACK));
        assertEquals(1, latest.live().version());
        assertEquals(ModelRegistry.Offer.SWAPPED, latest.offer(v(3)), "a newer version serves again at once");
        assertEquals(1, latest.state().baseline().version(), "the rolled-back version is no baseline");
    }

    @Test
    void theLiveAndBaselineVersionsStayRetainedWhateverArrivesAfterThem() {
        gated.offer(v(1));
        gated.decide(1, verdict(Verdict.PROMOTE));
        gated.offer(v(2));
        gated.decide(2, verdict(Verdict.PROMOTE));
        for (long i = 3; i <= 9; i++) {
            gated.offer(v(i));
            gated.decide(i, verdict(Verdict.REFUSE));
        }
        assertEquals(2, gated.live().version());
        assertEquals(List.of(1L, 2L, 7L, 8L, 9L), versions(gated.state().retained()));
    }

    @Test
    void verdictsReadBeforeTheirSnapshotsApplyWhenTheSnapshotsArrive() {
        // a restarted replica reads fmnist.model-control before fmnist.snapshots
        gated.decide(1, verdict(Verdict.PROMOTE));
        gated.decide(2, verdict(Verdict.REFUSE));
        assertEquals(ModelRegistry.Offer.SWAPPED, gated.offer(v(1)));
        assertEquals(ModelRegistry.Offer.CANDIDATE, gated.offer(v(2)));
        assertEquals(1, gated.live().version());
        assertTrue(gated.state().candidates().isEmpty(), "a refused version is no candidate");
    }
}
