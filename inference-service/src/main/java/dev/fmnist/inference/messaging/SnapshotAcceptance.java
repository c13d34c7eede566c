package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.support.snapshots.SnapshotTrust;

/**
 * The accept/reject rule for one record of fmnist.snapshots. Whether the record is trusted is the
 * shared {@link SnapshotTrust#snapshot} (the console applies the same): another model's record is
 * skipped, an untrusted one rejected with the reason. Then serving's own rule: rejected, one whose
 * version jumps more than the allowed step above the highest seen (an absurd version is not obeyed);
 * one whose version is not above the highest seen is not newer; anything else is accepted.
 */
final class SnapshotAcceptance {
    /** What to do with a record. */
    sealed interface Decision {
    }

    record Accept(WeightSnapshot snapshot) implements Decision {
    }

    record OtherModel() implements Decision {
    }

    record Reject(String reason) implements Decision {
    }

    record NotNewer(WeightSnapshot snapshot) implements Decision {
    }

    private final String modelName;
    private final SnapshotTrust trust;
    private final long maxVersionStep;

    SnapshotAcceptance(String modelName, SnapshotTrust trust, long maxVersionStep) {
        if (maxVersionStep < 1) {
            throw new IllegalArgumentException("fmnist.inference.max-version-step must be >= 1, got " + maxVersionStep);
        }
        this.modelName = modelName;
        this.trust = trust;
        this.maxVersionStep = maxVersionStep;
    }

    Decision decide(byte[] key, byte[] value, long highestSeen) {
        SnapshotTrust.Verdict<WeightSnapshot> verdict = trust.snapshot(key, value, modelName);
        if (verdict instanceof SnapshotTrust.Refused<WeightSnapshot> refused) {
            return new Reject(refused.reason());
        }
        if (!(verdict instanceof SnapshotTrust.Trusted<WeightSnapshot> trusted)) {
            return new OtherModel();
        }
        WeightSnapshot snapshot = trusted.value();
        if (snapshot.version() <= highestSeen) {
            return new NotNewer(snapshot);
        }
        // highestSeen is the registry's (>= 0); the subtraction cannot overflow below MAX_VERSION
        if (highestSeen > 0 && snapshot.version() - highestSeen > maxVersionStep) {
            return new Reject("weight snapshot: version " + snapshot.version() + " jumps more than "
                    + maxVersionStep + " (fmnist.inference.max-version-step) above the highest seen version "
                    + highestSeen);
        }
        return new Accept(snapshot);
    }
}
