package dev.fmnist.inference.domain;

import dev.fmnist.contracts.ModelVerdict.Verdict;
import dev.fmnist.inference.config.PromotionConfig.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Which retained version serves, the one rule every replica applies to the same verdicts and pin (so they
 * all serve the same version):
 * <ul>
 *   <li>the pinned version when it is retained (an admin's pin always wins);</li>
 *   <li>else under {@code gated} the highest version whose verdict is promote (a version without a verdict is
 *   a candidate and does not serve);</li>
 *   <li>under {@code latest} the highest version that was neither refused nor rolled back.</li>
 * </ul>
 * The <i>baseline</i> (shadow-scored for rollback) is the version that would serve if the live one were rolled
 * back; the <i>candidates</i> are the versions above the live one that wait for a verdict (gated only).
 *
 * <p>A <i>checkpoint</i> is not a candidate: under {@code gated}, once a version serves, a snapshot taken before
 * its run's planned last epoch ({@code plan().unfinishedAt(epoch)}) is an intermediate state of a run whose
 * result is still to come, as TFX's Evaluator judges a trainer's output and not its checkpoints. A run's last
 * planned epoch and continuous-mode snapshots are candidates. So the seed's run of a fresh pipeline serves v1 at
 * once (nothing serves yet: the first model only needs the floor) and then its result v10, instead of whichever
 * epoch's test accuracy happened to peak (v8's 0.8328 would otherwise keep v9's 0.8189 and v10's 0.8273 out by
 * more than the tolerance: noise of one SGD epoch, not a worse model). Checkpoints stay retained; an admin can
 * pin one.
 */
public final class ServingRule {
    private ServingRule() {
    }

    /** Whether {@code version} may serve under {@code policy}, given its verdict (null = none yet). */
    public static boolean eligible(Policy policy, VersionVerdict verdict) {
        if (policy == Policy.GATED) {
            return verdict != null && verdict.verdict() == Verdict.PROMOTE;
        }
        return verdict == null || verdict.verdict() == Verdict.PROMOTE;
    }

    /** The serving version, or null when none may serve. */
    public static LoadedModel live(Policy policy, Long pinned, NavigableMap<Long, LoadedModel> retained,
                                   Map<Long, VersionVerdict> verdicts) {
        if (pinned != null && retained.containsKey(pinned)) {
            return retained.get(pinned);
        }
        return highestEligibleBelow(policy, retained, verdicts, Long.MAX_VALUE);
    }

    /** The version that serves once {@code live} is rolled back: the highest eligible one below it (or null). */
    public static LoadedModel baseline(Policy policy, LoadedModel live, NavigableMap<Long, LoadedModel> retained,
                                       Map<Long, VersionVerdict> verdicts) {
        return live == null ? null : highestEligibleBelow(policy, retained, verdicts, live.version());
    }

    /** Whether {@code m} is a checkpoint (see the class comment): no verdict needed, none given. */
    public static boolean checkpoint(Policy policy, LoadedModel m, LoadedModel live, VersionVerdict verdict) {
        return policy == Policy.GATED && verdict == null && live != null && m.plan().unfinishedAt(m.epoch());
    }

    /** The versions above the live one without a verdict that are not checkpoints, oldest first (none under {@code latest}). */
    public static List<LoadedModel> candidates(Policy policy, LoadedModel live, NavigableMap<Long, LoadedModel> retained,
                                               Map<Long, VersionVerdict> verdicts) {
        List<LoadedModel> out = new ArrayList<>();
        if (policy != Policy.GATED) {
            return out;
        }
        var above = live == null ? retained : retained.tailMap(live.version(), false);
        for (LoadedModel m : above.values()) {
            if (!verdicts.containsKey(m.version()) && !checkpoint(policy, m, live, null)) {
                out.add(m);
            }
        }
        return out;
    }

    private static LoadedModel highestEligibleBelow(Policy policy, NavigableMap<Long, LoadedModel> retained,
                                                    Map<Long, VersionVerdict> verdicts, long bound) {
        for (LoadedModel m : retained.headMap(bound, false).descendingMap().values()) {
            if (eligible(policy, verdicts.get(m.version()))) {
                return m;
            }
        }
        return null;
    }
}
