package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.support.snapshots.SnapshotTrust;
import java.util.Optional;

/**
 * The resume rule, fed with the records of the snapshot topic in any order: the model's snapshot
 * with the highest version among those the readers' one rule ({@link SnapshotTrust#snapshot}) trusts. A
 * tombstone is skipped; a corrupt, mislabelled or unsigned/forged record is counted and ignored, so no single
 * record can make the trainer go back (a bad latest record) or jump (a forged huge version: it does
 * not verify, and the codec refuses versions above {@link WeightSnapshotCodec#MAX_VERSION}). Legacy
 * records keyed by model name alone are read too. Only the best snapshot is kept in memory.
 */
public final class LatestSnapshot {
    private final String modelName;
    private final SnapshotTrust trust;
    private WeightSnapshot best;
    private int rejected;

    /** @param signing the keys that must verify a snapshot; null = accept unsigned ones (auth disabled) */
    public LatestSnapshot(String modelName, SnapshotSigning signing) {
        this.modelName = modelName;
        this.trust = SnapshotTrust.of(signing, null, signing == null);
    }

    /** Offers one record; returns the reason when it was rejected, empty when used or not this model's. */
    public Optional<String> offer(byte[] key, byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        SnapshotTrust.Verdict<WeightSnapshot> v = trust.snapshot(key, value, modelName);
        if (v instanceof SnapshotTrust.Refused<WeightSnapshot> r) {
            return reject(r.reason());
        }
        if (v instanceof SnapshotTrust.Trusted<WeightSnapshot> t && (best == null || t.value().version() > best.version())) {
            best = t.value();
        }
        return Optional.empty();
    }

    private Optional<String> reject(String reason) {
        rejected++;
        return Optional.of(reason);
    }

    public Optional<WeightSnapshot> best() {
        return Optional.ofNullable(best);
    }

    /** Records of this model that were ignored. */
    public int rejected() {
        return rejected;
    }
}
