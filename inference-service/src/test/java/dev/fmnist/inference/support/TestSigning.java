package dev.fmnist.inference.support;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;

/** The fixed snapshot key of the %test profile, and snapshots signed and keyed the way the trainer does. */
public final class TestSigning {
    /** Same value as %test.fmnist.snapshots.signing-keys in application.properties. */
    public static final String KEY = "aW5mZXJlbmNlLXRlc3Qtc25hcHNob3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY=";
    public static final SnapshotSigning SIGNING = SnapshotSigning.parse(KEY);
    /** A valid key the service does not trust. */
    public static final SnapshotSigning OTHER = SnapshotSigning.parse(SnapshotSigning.generateKey());

    private TestSigning() {
    }

    public static byte[] signed(WeightSnapshot s) {
        return WeightSnapshotCodec.encode(s, SIGNING);
    }

    public static byte[] key(WeightSnapshot s) {
        return SnapshotKeys.key(s.modelName(), s.version());
    }
}
