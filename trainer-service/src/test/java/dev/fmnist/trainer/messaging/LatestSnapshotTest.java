package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatestSnapshotTest {
    static final String MODEL = "m";
    static final SnapshotSigning KEYS = SnapshotSigning.signer(filled(1), null);
    static final SnapshotSigning OTHER_KEYS = SnapshotSigning.signer(filled(2), null);

    static String filled(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return java.util.Base64.getEncoder().encodeToString(k);
    }

    static WeightSnapshot snapshot(String model, long version) {
        return new WeightSnapshot(model, version, (int) Math.min(version, 1000), version, new float[7840], new float[10],
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), WeightSnapshot.Metrics.UNMEASURED, List.of(),
                Instant.EPOCH, new WeightSnapshot.Plan(10));
    }

    static byte[] signed(long version) {
        return WeightSnapshotCodec.encode(snapshot(MODEL, version), KEYS);
    }

    @Test
    void theHighestValidVersionWinsInAnyOrder() {
        LatestSnapshot rule = new LatestSnapshot(MODEL, KEYS);
        rule.offer(SnapshotKeys.key(MODEL, 3), signed(3));
        rule.offer(SnapshotKeys.key(MODEL, 7), signed(7));
        rule.offer(SnapshotKeys.key(MODEL, 5), signed(5));
        assertEquals(7, rule.best().orElseThrow().version());
        assertEquals(0, rule.rejected());
    }

    @Test
    void aCorruptLatestRecordDoesNotSendTheModelBack() {
        LatestSnapshot rule = new LatestSnapshot(MODEL, KEYS);
        rule.offer(SnapshotKeys.key(MODEL, 4), signed(4));
        byte[] corrupt = signed(5);
        corrupt[100] ^= 1;
        assertTrue(rule.offer(SnapshotKeys.key(MODEL, 5), corrupt).orElseThrow().contains("checksum"));
        assertEquals(4, rule.best().orElseThrow().version());
    }

    @Test
    void forgedUnsignedAndWronglySignedRecordsAreRejected() {
        LatestSnapshot rule = new LatestSnapshot(MODEL, KEYS);
        rule.offer(SnapshotKeys.key(MODEL, 2), signed(2));
        long huge = 1L << 52;
        assertTrue(rule.offer(SnapshotKeys.key(MODEL, huge), WeightSnapshotCodec.encode(snapshot(MODEL, huge)))
                .orElseThrow().contains("signature missing"));
        assertTrue(rule.offer(SnapshotKeys.key(MODEL, huge), WeightSnapshotCodec.encode(snapshot(MODEL, huge), OTHER_KEYS))
                .orElseThrow().contains("does not verify"));
        assertEquals(2, rule.best().orElseThrow().version());
        assertEquals(2, rule.rejected());
    }

    @Test
    void legacyNameKeysCountAndOtherModelsAndTombstonesAreIgnored() {
        LatestSnapshot rule = new LatestSnapshot(MODEL, KEYS);
        rule.offer(MODEL.getBytes(StandardCharsets.UTF_8), signed(6));
        rule.offer(SnapshotKeys.key("other", 9), WeightSnapshotCodec.encode(snapshot("other", 9), KEYS));
        rule.offer(SnapshotKeys.key(MODEL, 8), null);
        assertEquals(6, rule.best().orElseThrow().version());
        assertEquals(0, rule.rejected());
    }

    @Test
    void aRecordUnderAnotherVersionsOrModelsKeyIsRejected() {
        LatestSnapshot rule = new LatestSnapshot(MODEL, KEYS);
        assertTrue(rule.offer(SnapshotKeys.key(MODEL, 3), signed(9)).orElseThrow().contains("key names version 3"));
        assertTrue(rule.offer(SnapshotKeys.key(MODEL, 4), WeightSnapshotCodec.encode(snapshot("other", 4), KEYS))
                .orElseThrow().contains("does not match model name 'other'"));
        assertFalse(rule.best().isPresent());
    }

    @Test
    void withoutKeysUnsignedSnapshotsAreAccepted() {
        LatestSnapshot rule = new LatestSnapshot(MODEL, null);
        rule.offer(SnapshotKeys.key(MODEL, 3), WeightSnapshotCodec.encode(snapshot(MODEL, 3)));
        assertEquals(3, rule.best().orElseThrow().version());
    }
}
