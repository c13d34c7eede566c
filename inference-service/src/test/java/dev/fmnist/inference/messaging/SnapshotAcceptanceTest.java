package dev.fmnist.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestNetworks;
import dev.fmnist.inference.support.TestSigning;
import dev.fmnist.support.snapshots.SnapshotTrust;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

class SnapshotAcceptanceTest {
    private static final String MODEL = "fmnist-softmax";
    private static final byte[] LEGACY_KEY = MODEL.getBytes(StandardCharsets.UTF_8);
    private final SnapshotAcceptance acceptance =
            new SnapshotAcceptance(Set.of(MODEL), SnapshotTrust.of(TestSigning.PUBLIC, null, false), 1000);

    private static WeightSnapshot snapshotOf(String model, long version) {
        return SoftmaxFit.snapshot(model, version, SoftmaxFit.random(version % 1000, 0.01), Instant.EPOCH);
    }

    private static byte[] snapshot(String model, long version) {
        return TestSigning.signed(snapshotOf(model, version));
    }

    /** The highest version seen so far, the same for every model. */
    private static ToLongFunction<String> highest(long version) {
        return model -> version;
    }

    private static byte[] key(long version) {
        return SnapshotKeys.key(MODEL, version);
    }

    @Test
    void aNewerSignedVersionIsAcceptedUnderAVersionedOrLegacyKey() {
        var accept = assertInstanceOf(SnapshotAcceptance.Accept.class, acceptance.decide(key(3), snapshot(MODEL, 3), highest(2)));
        assertEquals(3, accept.snapshot().version());
        assertInstanceOf(SnapshotAcceptance.Accept.class, acceptance.decide(LEGACY_KEY, snapshot(MODEL, 3), highest(2)));
    }

    @Test
    void anOlderOrDuplicateVersionIsNotNewer() {
        assertInstanceOf(SnapshotAcceptance.NotNewer.class, acceptance.decide(key(2), snapshot(MODEL, 2), highest(2)));
        assertInstanceOf(SnapshotAcceptance.NotNewer.class, acceptance.decide(key(1), snapshot(MODEL, 1), highest(2)));
    }

    @Test
    void anotherModelsRecordIsSkipped() {
        assertInstanceOf(SnapshotAcceptance.OtherModel.class,
                acceptance.decide("other".getBytes(StandardCharsets.UTF_8), snapshot("other", 9), highest(0)));
        assertInstanceOf(SnapshotAcceptance.OtherModel.class,
                acceptance.decide(SnapshotKeys.key("other", 9), snapshot("other", 9), highest(0)));
        assertInstanceOf(SnapshotAcceptance.OtherModel.class, acceptance.decide(null, snapshot(MODEL, 9), highest(0)));
    }

    @Test
    void aCorruptOrMislabelledSnapshotIsRejectedWithItsReason() {
        byte[] bytes = snapshot(MODEL, 3);
        bytes[bytes.length / 2] ^= 0x5A;
        var corrupt = assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(key(3), bytes, highest(0)));
        assertTrue(corrupt.reason().contains("checksum"), corrupt.reason());
        var mislabelled = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(LEGACY_KEY, snapshot("impostor", 3), highest(0)));
        assertTrue(mislabelled.reason().contains("does not match"), mislabelled.reason());
        var wrongVersion = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(4), snapshot(MODEL, 3), highest(0)));
        assertTrue(wrongVersion.reason().contains("names version 4"), wrongVersion.reason());
        assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(key(3), null, highest(0)));
    }

    @Test
    void anUnsignedOrForeignSignedSnapshotIsRejected() {
        var unsigned = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(3), WeightSnapshotCodec.encode(snapshotOf(MODEL, 3)), highest(2)));
        assertTrue(unsigned.reason().contains("signature"), unsigned.reason());
        var forged = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(3), WeightSnapshotCodec.encode(snapshotOf(MODEL, 3), TestSigning.OTHER), highest(2)));
        assertTrue(forged.reason().contains("signature"), forged.reason());
    }

    @Test
    void aVersionJumpAboveTheStepIsRejectedButTheStepItselfIsAccepted() {
        assertInstanceOf(SnapshotAcceptance.Accept.class, acceptance.decide(key(1003), snapshot(MODEL, 1003), highest(3)));
        var jump = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(1004), snapshot(MODEL, 1004), highest(3)));
        assertTrue(jump.reason().contains("max-version-step"), jump.reason());
        long huge = 3 + (1L << 50);
        assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(key(huge), snapshot(MODEL, huge), highest(3)));
    }

    @Test
    void withoutAKeyEverythingIsRefusedUnlessAuthIsExplicitlyOff() {
        var refusing = new SnapshotAcceptance(Set.of(MODEL), SnapshotTrust.of(null, null, false), 1000);
        var none = assertInstanceOf(SnapshotAcceptance.Reject.class, refusing.decide(key(1), snapshot(MODEL, 1), highest(0)));
        assertTrue(none.reason().contains("no public key"), none.reason());
        var open = new SnapshotAcceptance(Set.of(MODEL), SnapshotTrust.of(null, null, true), 1000);
        assertInstanceOf(SnapshotAcceptance.Accept.class,
                open.decide(key(1), WeightSnapshotCodec.encode(snapshotOf(MODEL, 1)), highest(0)));
    }

    @Test
    void eachServedModelIsRoutedByItsKeyAndComparedWithItsOwnHighestVersion() {
        String cnn = ModelFamily.CNN.modelName();
        var both = new SnapshotAcceptance(Set.of(MODEL, cnn), SnapshotTrust.of(TestSigning.PUBLIC, null, false), 1000);
        ToLongFunction<String> highest = model -> model.equals(MODEL) ? 7 : 0;
        WeightSnapshot cnnV1 = TestNetworks.snapshot(cnn, 1, TestNetworks.random(ModelFamily.CNN, 1), Instant.EPOCH);
        var accept = assertInstanceOf(SnapshotAcceptance.Accept.class,
                both.decide(SnapshotKeys.key(cnn, 1), TestSigning.signed(cnnV1), highest));
        assertEquals(cnn, accept.model());
        assertEquals(ModelFamily.CNN, accept.snapshot().network().family());
        var old = assertInstanceOf(SnapshotAcceptance.NotNewer.class,
                both.decide(key(7), snapshot(MODEL, 7), highest));
        assertEquals(MODEL, old.model());
        assertInstanceOf(SnapshotAcceptance.OtherModel.class, acceptance.decide(SnapshotKeys.key(cnn, 1),
                TestSigning.signed(cnnV1), highest(0)), "a model not served here");
    }

    /** The rule "a model name keeps its family": a signed cnn under fmnist-softmax is refused, never served. */
    @Test
    void aNetworkOfAnotherFamilyUnderAModelNameIsRejectedWithItsReason() {
        WeightSnapshot cnnAsSoftmax = TestNetworks.snapshot(MODEL, 3, TestNetworks.random(ModelFamily.CNN, 3),
                Instant.EPOCH);
        var reject = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(key(3), TestSigning.signed(cnnAsSoftmax), highest(2)));
        assertEquals(SnapshotAcceptance.FAMILY_MISMATCH, reject.tag());
        assertEquals(MODEL, reject.model());
        assertTrue(reject.reason().contains("carries a cnn network") && reject.reason().contains("softmax model")
                && reject.reason().contains("fmnist-cnn"), reject.reason());
    }
}
