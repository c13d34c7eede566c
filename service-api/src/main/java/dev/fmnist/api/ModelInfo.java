package dev.fmnist.api;

import dev.fmnist.contracts.WeightSnapshot;
import java.time.Instant;
import java.util.List;

/** Inference's description of a loaded model version; NaN metrics (not measured) are shown as null. */
public record ModelInfo(String modelName, long version, int epoch, long step, Double testAccuracy, Double trainLoss,
                        Double trainAccuracy, Instant createdAt, Instant loadedAt,
                        WeightSnapshot.Hyperparameters hyperparameters, List<WeightSnapshot.SourceOffset> lineage,
                        boolean live, boolean pinned) {

    /**
     * The admin view: retained versions, which one is live, which one is pinned (or null), and
     * whether the decision is not yet in force on this replica (just written and not read back, or
     * the pinned version's snapshot not read yet).
     */
    public record Versions(Long live, Long pinned, boolean pending, long highestSeen, List<ModelInfo> versions) {
    }

    /** Body of {@code POST /api/v1/model/pin}. */
    public record PinRequest(Long version) {
    }
}
