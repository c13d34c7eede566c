package dev.fmnist.support.snapshots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.ModelControl;
import dev.fmnist.contracts.ModelControlCodec;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotTrustTest {
    static final String MODEL = "m";
    static final String TRAINER_KEY = SnapshotSigning.generatePrivateKey();
    static final String CONTROL_KEY = SnapshotSigning.generatePrivateKey();
    static final SnapshotSigning TRAINER = SnapshotSigning.signer(TRAINER_KEY, null);
    /** What inference holds: the trainer's public key and its own model-control key. */
    final SnapshotTrust inference = new SnapshotTrust(Optional.of(SnapshotSigning.publicKeyOf(TRAINER_KEY)),
            Optional.of(CONTROL_KEY), Optional.empty(), true);
    /** What the console holds: the trainer's public key only. */
    final SnapshotTrust console = new SnapshotTrust(Optional.of(SnapshotSigning.publicKeyOf(TRAINER_KEY)),
            Optional.empty(), Optional.empty(), true);

    static WeightSnapshot snapshot(String model, long version) {
        return new WeightSnapshot(model, version, 1, version, new float[7840], new float[10],
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), WeightSnapshot.Metrics.UNMEASURED, List.of(),
                Instant.EPOCH, WeightSnapshot.Plan.NONE);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void alertsAreSignedWithTheModelControlKeyAndOnlyThoseAreTrusted() {
        Alert a = new Alert(Alert.Kind.ROLLED_BACK, MODEL, Map.of("from", 3L, "to", 2L), "v3 is worse", Map.of(),
                "inference-0", Instant.EPOCH);
        assertTrue(inference.signsAlerts());
        byte[] signed = inference.encode(a);
        // the console with the model-control public key (its configuration: fmnist.model-control.public-keys)
        SnapshotTrust keyed = new SnapshotTrust(Optional.empty(), Optional.empty(),
                Optional.of(SnapshotSigning.publicKeyOf(CONTROL_KEY)), true);
        assertEquals(a, keyed.alert(signed));
        assertEquals(false, keyed.signsAlerts(), "public keys only: it cannot sign");
        assertEquals(AlertCodec.Refusal.UNSIGNED, assertThrows(AlertCodec.RefusedAlertException.class,
                () -> keyed.alert(keyed.encode(a))).refusal(), "what a service without the private key writes");
        assertEquals(AlertCodec.Refusal.FORGED, assertThrows(AlertCodec.RefusedAlertException.class,
                () -> keyed.alert(AlertCodec.encode(a, TRAINER))).refusal(), "the trainer's key is not inference's");
        assertEquals(AlertCodec.Refusal.NO_KEY, assertThrows(AlertCodec.RefusedAlertException.class,
                () -> console.alert(signed)).refusal(), "no model-control key, auth on: nothing is trusted");
        SnapshotTrust authOff = SnapshotTrust.of(null, null, true);
        assertEquals(a, authOff.alert(AlertCodec.encode(a, null)), "auth off and no key: unsigned accepted");
    }

    @Test
    void aSnapshotTheTrainerSignedIsTrustedUnderItsKey() {
        var trusted = assertInstanceOf(SnapshotTrust.Trusted.class,
                console.snapshot(SnapshotKeys.key(MODEL, 3), WeightSnapshotCodec.encode(snapshot(MODEL, 3), TRAINER), MODEL));
        assertEquals(3, ((WeightSnapshot) trusted.value()).version());
        assertInstanceOf(SnapshotTrust.OtherModel.class, console.snapshot(SnapshotKeys.key("other", 3),
                WeightSnapshotCodec.encode(snapshot("other", 3), TRAINER), MODEL));
    }

    @Test
    void unsignedForgedMislabelledAndTombstoneSnapshotsAreRefusedWithTheReason() {
        assertRefused(console.snapshot(SnapshotKeys.key(MODEL, 3), WeightSnapshotCodec.encode(snapshot(MODEL, 3)), MODEL),
                "signature missing");
        SnapshotSigning forger = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);
        assertRefused(console.snapshot(SnapshotKeys.key(MODEL, 3), WeightSnapshotCodec.encode(snapshot(MODEL, 3), forger),
                MODEL), "does not verify");
        assertRefused(console.snapshot(SnapshotKeys.key(MODEL, 4), WeightSnapshotCodec.encode(snapshot(MODEL, 3), TRAINER),
                MODEL), "names version 4");
        assertRefused(console.snapshot(utf8(MODEL), WeightSnapshotCodec.encode(snapshot("impostor", 3), TRAINER), MODEL),
                "does not match");
        assertRefused(console.snapshot(SnapshotKeys.key(MODEL, 3), null, MODEL), "no value");
    }

    @Test
    void withoutKeysEverythingIsRefusedUnlessAuthIsExplicitlyOff() {
        byte[] unsigned = WeightSnapshotCodec.encode(snapshot(MODEL, 1));
        assertRefused(SnapshotTrust.of(null, null, false).snapshot(SnapshotKeys.key(MODEL, 1), unsigned, MODEL),
                "no public key configured");
        assertInstanceOf(SnapshotTrust.Trusted.class,
                SnapshotTrust.of(null, null, true).snapshot(SnapshotKeys.key(MODEL, 1), unsigned, MODEL));
        ModelControl pin = new ModelControl(MODEL, 2, ModelControl.Action.PIN, Instant.EPOCH);
        assertThrows(IllegalStateException.class, () -> SnapshotTrust.of(null, null, false).encode(pin));
        assertInstanceOf(SnapshotTrust.Trusted.class, SnapshotTrust.of(null, null, true)
                .control(utf8(MODEL), SnapshotTrust.of(null, null, true).encode(pin), MODEL));
    }

    @Test
    void inferenceSignsModelControlWithItsOwnKeyAndTheTrainersKeyDoesNotSteerIt() {
        ModelControl pin = new ModelControl(MODEL, 2, ModelControl.Action.PIN, Instant.EPOCH);
        byte[] signed = inference.encode(pin);
        var trusted = assertInstanceOf(SnapshotTrust.Trusted.class, inference.control(utf8(MODEL), signed, MODEL));
        assertEquals(pin, trusted.value());
        assertRefused(inference.control(utf8(MODEL), ModelControlCodec.encode(pin, TRAINER), MODEL), "does not verify");
        assertRefused(inference.control(utf8(MODEL), ModelControlCodec.encode(pin, null), MODEL), "signature missing");
        assertRefused(inference.control(null, signed, MODEL), "under key 'null'");
        assertInstanceOf(SnapshotTrust.OtherModel.class, inference.control(utf8("other"), signed, MODEL));
        // a replica holding only the public keys verifies, but cannot write
        SnapshotTrust reader = new SnapshotTrust(Optional.empty(), Optional.empty(),
                Optional.of(SnapshotSigning.publicKeyOf(CONTROL_KEY)), true);
        assertInstanceOf(SnapshotTrust.Trusted.class, reader.control(utf8(MODEL), signed, MODEL));
        assertThrows(IllegalStateException.class, () -> reader.encode(pin));
        assertThrows(IllegalStateException.class, () -> console.encode(pin), "the console cannot sign a pin");
    }

    @Test
    void verdictsAreSignedWithTheModelControlKeyAndKeyedByModelAndVersion() {
        ModelVerdict v = new ModelVerdict(MODEL, 7, ModelVerdict.Verdict.REFUSE, "below the floor", Instant.EPOCH);
        byte[] signed = inference.encode(v);
        var trusted = assertInstanceOf(SnapshotTrust.Trusted.class, inference.verdict(utf8(MODEL + "/v7"), signed, MODEL));
        assertEquals(v, trusted.value());
        assertRefused(inference.verdict(utf8(MODEL + "/v8"), signed, MODEL), "under key");
        assertRefused(inference.verdict(utf8(MODEL + "/v7"), ModelControlCodec.encodeVerdict(v, TRAINER), MODEL),
                "does not verify");
        assertInstanceOf(SnapshotTrust.OtherModel.class, inference.verdict(utf8("other/v7"), signed, MODEL));
        assertInstanceOf(SnapshotTrust.OtherModel.class, inference.verdict(utf8(MODEL), signed, MODEL));
        // a pin reader skips a verdict (its key is no model name): replicas that predate verdicts ignore them
        assertInstanceOf(SnapshotTrust.OtherModel.class, inference.control(utf8(MODEL + "/v7"), signed, MODEL));
        assertThrows(IllegalStateException.class, () -> console.encode(v), "the console cannot sign a verdict");
    }

    @Test
    void aVerdictKeysTombstoneIsADeletionOfThatVersionsVerdictAndAPinsIsRefused() {
        assertEquals(7, assertInstanceOf(SnapshotTrust.Deleted.class, inference.verdict(utf8(MODEL + "/v7"), null, MODEL))
                .version());
        assertInstanceOf(SnapshotTrust.Deleted.class, SnapshotTrust.of(null, null, false).verdict(utf8(MODEL + "/v7"),
                null, MODEL), "a deletion needs no key: it cannot be signed, the reader's rule decides");
        assertInstanceOf(SnapshotTrust.OtherModel.class, inference.verdict(utf8("other/v7"), null, MODEL));
        assertRefused(inference.control(utf8(MODEL), null, MODEL), "no value");
    }

    @Test
    void aBadKeyIsNamedByItsPropertyNotShown() {
        String message = assertThrows(IllegalArgumentException.class, () -> new SnapshotTrust(Optional.of("c2hvcnQ="),
                Optional.empty(), Optional.empty(), true)).getMessage();
        assertTrue(message.startsWith("fmnist.snapshots.public-keys: "), message);
    }

    private static void assertRefused(SnapshotTrust.Verdict<?> verdict, String reason) {
        var refused = assertInstanceOf(SnapshotTrust.Refused.class, verdict);
        assertTrue(refused.reason().contains(reason), refused.reason());
    }
}
