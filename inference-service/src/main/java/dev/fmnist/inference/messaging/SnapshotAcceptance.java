package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The accept/reject rule for one record of fmnist.snapshots. A record whose key does not belong to
 * the model ({@link SnapshotKeys#belongsTo}: a versioned key of it or its legacy name-only key) is
 * skipped. Rejected, with the reason: any record when no key is trusted; one that does not decode
 * (checksum, shape, values) or whose signature is missing or does not verify; one whose key names
 * another model or version than its content; one whose version jumps more than the allowed step
 * above the highest seen (an absurd version is not obeyed). One whose version is not above the
 * highest seen is not newer; anything else is accepted.
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
        if (!SnapshotKeys.belongsTo(key, modelName)) {
            return new OtherModel();
        }
        if (trust.refusesAll()) {
            return new Reject("weight snapshot: no signing key configured (fmnist.snapshots.signing-keys), "
                    + "no snapshot is trusted");
        }
        WeightSnapshot snapshot;
        try {
            snapshot = WeightSnapshotCodec.decode(value, trust.signing().orElse(null));
        } catch (WireFormatException e) {
            return new Reject(e.getMessage());
        }
        Optional<SnapshotKeys.Key> versioned = SnapshotKeys.parse(key);
        String keyModel = versioned.map(SnapshotKeys.Key::modelName).orElseGet(() -> new String(key, StandardCharsets.UTF_8));
        if (!snapshot.modelName().equals(keyModel)) {
            return new Reject("weight snapshot: record key '" + keyModel + "' does not match model name '"
                    + snapshot.modelName() + "'");
        }
        if (versioned.isPresent() && versioned.get().version() != snapshot.version()) {
            return new Reject("weight snapshot: record key names version " + versioned.get().version()
                    + " but the snapshot is version " + snapshot.version());
        }
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
