package dev.fmnist.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.inference.support.SoftmaxFit;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SnapshotAcceptanceTest {
    private static final String MODEL = "fmnist-softmax";
    private static final byte[] KEY = MODEL.getBytes(StandardCharsets.UTF_8);
    private final SnapshotAcceptance acceptance = new SnapshotAcceptance(MODEL);

    private static byte[] snapshot(String model, long version) {
        return WeightSnapshotCodec.encode(SoftmaxFit.snapshot(model, version, SoftmaxFit.random(version, 0.01),
                Instant.EPOCH));
    }

    @Test
    void aNewerVersionIsAccepted() {
        var accept = assertInstanceOf(SnapshotAcceptance.Accept.class, acceptance.decide(KEY, snapshot(MODEL, 3), 2));
        assertEquals(3, accept.snapshot().version());
    }

    @Test
    void anOlderOrDuplicateVersionIsNotNewer() {
        assertInstanceOf(SnapshotAcceptance.NotNewer.class, acceptance.decide(KEY, snapshot(MODEL, 2), 2));
        assertInstanceOf(SnapshotAcceptance.NotNewer.class, acceptance.decide(KEY, snapshot(MODEL, 1), 2));
    }

    @Test
    void anotherModelsRecordIsSkipped() {
        assertInstanceOf(SnapshotAcceptance.OtherModel.class,
                acceptance.decide("other".getBytes(StandardCharsets.UTF_8), snapshot("other", 9), 0));
        assertInstanceOf(SnapshotAcceptance.OtherModel.class, acceptance.decide(null, snapshot(MODEL, 9), 0));
    }

    @Test
    void aCorruptOrMislabelledSnapshotIsRejectedWithItsReason() {
        byte[] bytes = snapshot(MODEL, 3);
        bytes[bytes.length / 2] ^= 0x5A;
        var corrupt = assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(KEY, bytes, 0));
        assertTrue(corrupt.reason().contains("checksum"), corrupt.reason());
        var mislabelled = assertInstanceOf(SnapshotAcceptance.Reject.class,
                acceptance.decide(KEY, snapshot("impostor", 3), 0));
        assertTrue(mislabelled.reason().contains("does not match"), mislabelled.reason());
        assertInstanceOf(SnapshotAcceptance.Reject.class, acceptance.decide(KEY, null, 0));
    }
}
