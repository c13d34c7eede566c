package dev.fmnist.api;

import dev.fmnist.contracts.WeightSnapshot;
import java.time.Instant;
import java.util.List;

/**
 * Inference's description of a loaded model version; NaN metrics (not measured) are shown as null.
 *
 * @param state  {@code live}, {@code candidate} (waiting for a promotion verdict), {@code checkpoint} (a snapshot
 *               before its run's last planned epoch, not judged under gated once a version serves), {@code promoted},
 *               {@code refused} or {@code rolled-back}
 * @param reason why it was refused or rolled back (the verdict's reason; null otherwise)
 * @param shadow its shadow-scoring figures while it is shadow-scored here, else null
 */
public record ModelInfo(String modelName, long version, int epoch, long step, Double testAccuracy, Double trainLoss,
                        Double trainAccuracy, Instant createdAt, Instant loadedAt,
                        WeightSnapshot.Hyperparameters hyperparameters, List<WeightSnapshot.SourceOffset> lineage,
                        boolean live, boolean pinned, String state, String reason, Shadow shadow) {

    /**
     * A version shadow-scored beside the live one, on this replica's requests since the pair began.
     *
     * @param role         {@code candidate} (waiting for promotion) or {@code baseline} (the version a rollback serves)
     * @param requests     requests scored by both
     * @param agreement    share of them where both gave the same class (null before any)
     * @param labelled     of them, those that carried their true label
     * @param accuracy     this version's accuracy on the labelled ones (null before any)
     * @param liveAccuracy the live version's accuracy on the same labelled requests (null before any)
     * @param classes      how often this version predicted each class, 10 counts
     */
    public record Shadow(String role, long requests, Double agreement, long labelled, Double accuracy,
                         Double liveAccuracy, List<Long> classes) {
    }

    /**
     * The admin view: retained versions, which one is live, which one is pinned (or null), and
     * whether the decision is not yet in force on this replica (just written and not read back, or
     * the pinned version's snapshot not read yet); the model's promotion policy ({@code gated} or
     * {@code latest}) and whether a worse live version is rolled back automatically.
     */
    public record Versions(Long live, Long pinned, boolean pending, long highestSeen, List<ModelInfo> versions,
                           String policy, boolean autoRollback) {
    }

    /** Body of {@code POST /api/v1/model/pin}. */
    public record PinRequest(Long version) {
    }
}
