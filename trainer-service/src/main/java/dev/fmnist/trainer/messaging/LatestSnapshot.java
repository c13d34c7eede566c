package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.WireFormatException;
import java.util.Optional;

/**
 * The resume rule, fed with the records of the snapshot topic in any order: the model's snapshot
 * with the highest version among those that decode and (with keys) verify. A record of another
 * model, a tombstone, a corrupt or an unsigned/forged record is counted and ignored, so no single
 * record can make the trainer go back (a bad latest record) or jump (a forged huge version: it does
 * not verify, and the codec refuses versions above {@link WeightSnapshotCodec#MAX_VERSION}). Legacy
 * records keyed by model name alone are read too. Only the best snapshot is kept in memory.
 */
public final class LatestSnapshot {
    private final String modelName;
    private final SnapshotSigning signing;
    private WeightSnapshot best;
    private int rejected;
    private String lastRejection;

    /** @param signing the keys that must verify a snapshot; null = accept unsigned ones (auth disabled) */
    public LatestSnapshot(String modelName, SnapshotSigning signing) {
        this.modelName = modelName;
        this.signing = signing;
    }

    /** Offers one record; returns the reason when it was rejected, empty when used or not this model's. */
    public Optional<String> offer(byte[] key, byte[] value) {
        if (!SnapshotKeys.belongsTo(key, modelName) || value == null) {
            return Optional.empty();
        }
        WeightSnapshot s;
        try {
            s = signing == null ? WeightSnapshotCodec.decode(value) : WeightSnapshotCodec.decode(value, signing);
        } catch (WireFormatException e) {
            return reject(e.getMessage());
        }
        if (!s.modelName().equals(modelName)) {
            return reject("snapshot of model " + s.modelName() + " under a key of " + modelName);
        }
        Optional<SnapshotKeys.Key> k = SnapshotKeys.parse(key);
        if (k.isPresent() && k.get().version() != s.version()) {
            return reject("key names v" + k.get().version() + ", record holds v" + s.version());
        }
        if (best == null || s.version() > best.version()) {
            best = s;
        }
        return Optional.empty();
    }

    private Optional<String> reject(String reason) {
        rejected++;
        lastRejection = reason;
        return Optional.of(reason);
    }

    public Optional<WeightSnapshot> best() {
        return Optional.ofNullable(best);
    }

    /** Records of this model that were ignored. */
    public int rejected() {
        return rejected;
    }

    public Optional<String> lastRejection() {
        return Optional.ofNullable(lastRejection);
    }
}
