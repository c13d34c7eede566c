package dev.fmnist.inference.support;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;

/**
 * The trainer's private key whose public key the %test profile trusts, and snapshots signed and keyed the
 * way the trainer does.
 */
public final class TestSigning {
    /** Its public key is %test.fmnist.snapshots.public-keys in application.properties. */
    public static final String KEY = "aW5mZXJlbmNlLXRlc3Qtc25hcHNob3Qta2V5LTAxMjM=";
    public static final SnapshotSigning SIGNING = SnapshotSigning.signer(KEY, null);
    /** What a reader holds: the public key only. */
    public static final SnapshotSigning PUBLIC = SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(KEY));
    /** %test.fmnist.model-control.signing-key: inference's own model-control key. */
    public static final String CONTROL_KEY = "aW5mZXJlbmNlLXRlc3QtY29udHJvbC1rZXktMDEyMzQ=";
    /** The public half of {@link #CONTROL_KEY}: what verifies the alerts and model-control records inference writes. */
    public static final SnapshotSigning CONTROL_PUBLIC = SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(CONTROL_KEY));
    /** A valid key the service does not trust. */
    public static final SnapshotSigning OTHER = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);

    private TestSigning() {
    }

    public static byte[] signed(WeightSnapshot s) {
        return WeightSnapshotCodec.encode(s, SIGNING);
    }

    public static byte[] key(WeightSnapshot s) {
        return SnapshotKeys.key(s.modelName(), s.version());
    }
}
