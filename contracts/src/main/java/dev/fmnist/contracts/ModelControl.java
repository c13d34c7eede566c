package dev.fmnist.contracts;

import java.time.Instant;
import java.util.Objects;

/**
 * The serving decision for one model, on {@link Topics#MODEL_CONTROL} keyed by model name: every
 * inference replica follows the latest record, so a pin reaches every replica and survives restarts.
 *
 * @param modelName     the model it applies to (the Kafka key)
 * @param pinnedVersion the version to serve; 0 = none, serve the latest snapshot
 * @param action        what an operator did: {@code pin}, {@code unpin} or {@code rollback}
 * @param updatedAt     when
 */
public record ModelControl(String modelName, long pinnedVersion, Action action, Instant updatedAt) {
    public enum Action {
        PIN, UNPIN, ROLLBACK
    }

    public ModelControl {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (modelName.isBlank()) {
            throw new IllegalArgumentException("modelName is blank");
        }
        if (pinnedVersion < 0 || pinnedVersion > WeightSnapshotCodec.MAX_VERSION) {
            throw new IllegalArgumentException("pinnedVersion " + pinnedVersion + " is out of range");
        }
        if ((action == Action.UNPIN) != (pinnedVersion == 0)) {
            throw new IllegalArgumentException(action + " with pinned version " + pinnedVersion);
        }
    }

    public boolean pinned() {
        return pinnedVersion > 0;
    }
}
