package dev.fmnist.inference.rest;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.inference.domain.LoadedModel;
import java.time.Instant;
import java.util.List;

/** Description of a loaded model version; NaN metrics (not measured) are shown as null. */
public record ModelInfo(String modelName, long version, int epoch, long step, Double testAccuracy, Double trainLoss,
                        Double trainAccuracy, Instant createdAt, Instant loadedAt,
                        WeightSnapshot.Hyperparameters hyperparameters, List<WeightSnapshot.SourceOffset> lineage,
                        boolean live, boolean pinned) {
    static ModelInfo of(LoadedModel m, boolean live, boolean pinned) {
        var metrics = m.metrics();
        return new ModelInfo(m.modelName(), m.version(), m.epoch(), m.step(), measured(metrics.testAccuracy()),
                measured(metrics.trainLoss()), measured(metrics.trainAccuracy()), m.createdAt(), m.loadedAt(),
                m.hyperparameters(), m.lineage(), live, pinned);
    }

    private static Double measured(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** The admin view: retained versions, which one is live, which one is pinned (or null). */
    public record Versions(Long live, Long pinned, long highestSeen, List<ModelInfo> versions) {
    }

    /** Body of {@code POST /api/v1/model/pin}. */
    public record PinRequest(Long version) {
    }
}
