package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.WireFormatException;
import java.nio.charset.StandardCharsets;

/**
 * The accept/reject rule for one record of fmnist.snapshots: a record of another model is skipped;
 * one that does not decode (checksum, shape, values) or whose key is not its model name is rejected;
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

    SnapshotAcceptance(String modelName) {
        this.modelName = modelName;
    }

    Decision decide(byte[] key, byte[] value, long highestSeen) {
        String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (!modelName.equals(k)) {
            return new OtherModel();
        }
        WeightSnapshot snapshot;
        try {
            snapshot = WeightSnapshotCodec.decode(value);
        } catch (WireFormatException e) {
            return new Reject(e.getMessage());
        }
        if (!snapshot.modelName().equals(k)) {
            return new Reject("weight snapshot: record key '" + k + "' does not match model name '"
                    + snapshot.modelName() + "'");
        }
        if (snapshot.version() <= highestSeen) {
            return new NotNewer(snapshot);
        }
        return new Accept(snapshot);
    }
}
