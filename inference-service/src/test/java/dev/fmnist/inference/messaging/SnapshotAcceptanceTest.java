package dev.fmnist.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import dev.fmnist.support.snapshots.SnapshotTrust;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotAcceptanceTest {
    private static final String MODEL = "fmnist-softmax";
    private static final byte[] LEGACY_KEY = MODEL.getBytes(StandardCharsets.UTF_8);
    private final SnapshotAcceptance acceptance =
            new SnapshotAcceptance(MODEL, SnapshotTrust.of(TestSigning.PUBLIC, null, false), 1000);

    private static WeightSnapshot snapshotOf(String model, long version) {
        return SoftmaxFit.snapshot(model, version, SoftmaxFit.random(version % 1000, 0.01), Instant.EPOCH);
    }

    private static byte[] snapshot(String model, long version) {
        return TestSigning.signed(snapshotOf(model, version));
    }

    private static byte[] key(long version) {
        return SnapshotKeys.key(MODEL, version);
    }

    @Test
    void aNewerSignedVersionIsAcceptedUnderAVersionedOrLegacyKey() {
        var accept = assertInstanceOf(SnapshotAcceptance.Accept.class, acceptance.decide(key(3), snapshot(MODEL, 3), 2));
        assertEquals(3, accept.snapshot().version());
        assertInstanceOf(SnapshotAcceptance.Accept.class, acceptance.decide(LEGACY_KEY, snapshot(MODEL, 3), 2));
    }

    @Test
    void anOlderOrDuplicateVersionIsNotNewer() {
        assertInstanceOf(SnapshotAcceptance.NotNewer.class, acceptance.decide(key(2), snapshot(MODEL, 2), 2));
        assertInstanceOf(SnapshotAcceptance.NotNewer.class, acceptance.decide(key(1), snapshot(MODEL, 1), 2));
    }

    @Test
    void anotherModelsRecordIsSkipped() {
        assertInstanceOf(SnapshotAcceptance.OtherModel.class,
                acceptance.decide("other".getBytes(StandardCharsets.UTF_8), snapshot("other", 9), 0));
        assertInstanceOf(SnapshotAcceptance.OtherModel.class,
                acceptance.decide(SnapshotKeys.key("other", 9), snapshot("other", 9), 0));
        assertInstanceOf(SnapshotAcceptance.OtherModel.class, acceptance.decide(null, snapshot(MODEL, 9), 0));
    }

    @Test
    void aCorruptOrMislabelledSnapshotIsRejectedWithItsReason() {
        byte[] bytes = snapshot(MODEL, 3);
        bytes[bytes.length / 2] ^= 0x5A;
        var corrupt = assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(key(3), bytes, 0));
        assertTrue(corrupt.reason().contains("checksum"), corrupt.reason());
        var mislabelled = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(LEGACY_KEY, snapshot("impostor", 3), 0));
        assertTrue(mislabelled.reason().contains("does not match"), mislabelled.reason());
        var wrongVersion = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(4), snapshot(MODEL, 3), 0));
        assertTrue(wrongVersion.reason().contains("names version 4"), wrongVersion.reason());
        assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(key(3), null, 0));
    }

    @Test
    void anUnsignedOrForeignSignedSnapshotIsRejected() {
        var unsigned = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(3), WeightSnapshotCodec.encode(snapshotOf(MODEL, 3)), 2));
        assertTrue(unsigned.reason().contains("signature"), unsigned.reason());
        var forged = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(3), WeightSnapshotCodec.encode(snapshotOf(MODEL, 3), TestSigning.OTHER), 2));
        assertTrue(forged.reason().contains("signature"), forged.reason());
    }

    @Test
    void aVersionJumpAboveTheStepIsRejectedButTheStepItselfIsAccepted() {
        assertInstanceOf(SnapshotAcceptance.Accept.class, acceptance.decide(key(1003), snapshot(MODEL, 1003), 3));
        var jump = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(1004), snapshot(MODEL, 1004), 3));
        assertTrue(jump.reason().contains("max-version-step"), jump.reason());
        long huge = 3 + (1L << 50);
        assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(key(huge), snapshot(MODEL, huge), 3));
    }

    @Test
    void withoutAKeyEverythingIsRefusedUnlessAuthIsExplicitlyOff() {
        var refusing = new SnapshotAcceptance(MODEL, SnapshotTrust.of(null, null, false), 1000);
        var none = assertInstanceOf(SnapshotAcceptance.Reject.class, refusing.decide(key(1), snapshot(MODEL, 1), 0));
        assertTrue(none.reason().contains("no public key"), none.reason());
        var open = new SnapshotAcceptance(MODEL, SnapshotTrust.of(null, null, true), 1000);
        assertInstanceOf(SnapshotAcceptance.Accept.class,
                open.decide(key(1), WeightSnapshotCodec.encode(snapshotOf(MODEL, 1)), 0));
    }
}
