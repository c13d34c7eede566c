package dev.fmnist.inference.domain;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.inference.export.ExportFormat;
import dev.fmnist.inference.export.WeightsExporter;
import java.time.Instant;
import java.util.List;

/**
 * An immutable, validated snapshot ready to score. Nothing in it changes after construction, so a
 * request that took a reference to it is scored wholly by this version whatever swaps happen.
 * Inputs are raw pixels 0-255; the model was trained on pixel / 255 (d2l's ToTensor), which is
 * folded into {@link #scaledWeights} once here instead of per pixel per request.
 */
public final class LoadedModel {
    private final WeightSnapshot snapshot;
    private final float[] scaledWeights;
    private final Instant loadedAt;

    private LoadedModel(WeightSnapshot snapshot, Instant loadedAt) {
        this.snapshot = snapshot;
        this.loadedAt = loadedAt;
        float[] w = snapshot.weights();
        this.scaledWeights = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            scaledWeights[i] = w[i] / 255f;
        }
    }

    /** Wraps a snapshot that {@code WeightSnapshotCodec.decode} has already checked. */
    public static LoadedModel of(WeightSnapshot snapshot, Instant loadedAt) {
        return new LoadedModel(new WeightSnapshot(snapshot.modelName(), snapshot.version(), snapshot.epoch(),
                snapshot.step(), snapshot.weights().clone(), snapshot.bias().clone(), snapshot.hyperparameters(),
                snapshot.metrics(), snapshot.lineage(), snapshot.createdAt(), snapshot.plan()), loadedAt);
    }

    public long version() {
        return snapshot.version();
    }

    public int epoch() {
        return snapshot.epoch();
    }

    public long step() {
        return snapshot.step();
    }

    public String modelName() {
        return snapshot.modelName();
    }

    public Instant createdAt() {
        return snapshot.createdAt();
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    public WeightSnapshot.Hyperparameters hyperparameters() {
        return snapshot.hyperparameters();
    }

    public WeightSnapshot.Metrics metrics() {
        return snapshot.metrics();
    }

    public List<WeightSnapshot.SourceOffset> lineage() {
        return snapshot.lineage();
    }

    public WeightSnapshot.Plan plan() {
        return snapshot.plan();
    }

    /** W, b and the metadata in a standard format (a fresh byte array; the model is not exposed). */
    public byte[] export(ExportFormat format) {
        return WeightsExporter.export(snapshot, format);
    }

    /** W / 255, 784 x 10 row-major; package-private: callers must not write to it. */
    float[] scaledWeights() {
        return scaledWeights;
    }

    /** W as trained, 784 x 10 row-major; package-private: callers must not write to it. */
    float[] weights() {
        return snapshot.weights();
    }

    /** b, 10 values; package-private: callers must not write to it. */
    float[] bias() {
        return snapshot.bias();
    }
}
