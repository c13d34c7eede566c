package dev.fmnist.inference.domain;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.export.ExportFormat;
import dev.fmnist.inference.export.WeightsExporter;
import java.time.Instant;
import java.util.List;

/**
 * An immutable, validated snapshot ready to score. Nothing in it changes after construction, so a
 * request that took a reference to it is scored wholly by this version whatever swaps happen.
 * Scoring runs the snapshot's architecture through the shared {@link Forward}, compiled once here.
 */
public final class LoadedModel {
    private final WeightSnapshot snapshot;
    private final Forward forward;
    private final Instant loadedAt;

    private LoadedModel(WeightSnapshot snapshot, Instant loadedAt) {
        this.snapshot = snapshot;
        this.loadedAt = loadedAt;
        this.forward = Forward.of(snapshot.network());
    }

    /** Wraps a snapshot that {@code WeightSnapshotCodec.decode} has already checked. */
    public static LoadedModel of(WeightSnapshot snapshot, Instant loadedAt) {
        return new LoadedModel(new WeightSnapshot(snapshot.modelName(), snapshot.version(), snapshot.epoch(),
                snapshot.step(), snapshot.network().copy(), snapshot.hyperparameters(),
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

    public ModelFamily family() {
        return snapshot.network().family();
    }

    /**
     * The first NaN or infinite parameter, named ({@code W[12] = NaN}), or null. Decoded snapshots have none
     * (the codec refuses them); the promotion gate asks anyway, so its rule does not depend on the source.
     */
    public String firstNonFiniteWeight() {
        for (var e : snapshot.network().tensors().entrySet()) {
            float[] v = e.getValue();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    return e.getKey() + "[" + i + "] = " + v[i];
                }
            }
        }
        return null;
    }

    /** The compiled forward pass (thread-safe). */
    public Forward forward() {
        return forward;
    }
}
