package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertCodecTest {
    private static final SnapshotSigning KEY = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);
    private static final SnapshotSigning OTHER_KEY = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);
    private static final Alert REFUSED = new Alert(Alert.Kind.REFUSED, "fmnist-softmax",
            Map.of("candidate", 11L, "live", 10L), "test accuracy 0.0435 is below the live model's 0.8415 - 0.005",
            Map.of("testAccuracy", 0.0435, "liveTestAccuracy", 0.8415), "inference-0", Instant.parse("2026-12-07T15:00:00Z"));

    private static AlertCodec.Refusal refusal(String json, SnapshotSigning signing) {
        return refusal(json.getBytes(StandardCharsets.UTF_8), signing);
    }

    private static AlertCodec.Refusal refusal(byte[] record, SnapshotSigning signing) {
        return assertThrows(AlertCodec.RefusedAlertException.class, () -> AlertCodec.decode(record, signing)).refusal();
    }

    @Test
    void roundTripsEveryKindSigned() {
        for (Alert.Kind kind : Alert.Kind.values()) {
            Alert a = new Alert(kind, REFUSED.model(), REFUSED.versions(), REFUSED.reason(), REFUSED.figures(),
                    REFUSED.source(), REFUSED.time());
            assertEquals(a, AlertCodec.decode(AlertCodec.encode(a, KEY), KEY));
        }
        String json = new String(AlertCodec.encode(REFUSED, KEY), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"kind\":\"refused\""), json);
        assertTrue(json.contains("\"time\":\"2026-12-07T15:00:00Z\""), json);
        assertTrue(json.matches(".*\"signature\":\"[A-Za-z0-9+/=]{88}\".*"), json);
        assertEquals("rolled-back", Alert.Kind.ROLLED_BACK.wire());
    }

    @Test
    void theSignatureCoversWhatTheAlertSaysNotHowTheJsonIsWritten() {
        String json = new String(AlertCodec.encode(REFUSED, KEY), StandardCharsets.UTF_8);
        // the same alert, its fields reordered and spaced by another writer, still verifies
        String reordered = "{ \"time\": \"2026-12-07T15:00:00Z\", " + json.substring(1).replace(",\"time\":\"2026-12-07T15:00:00Z\"", "");
        assertEquals(REFUSED, AlertCodec.decode(reordered.getBytes(StandardCharsets.UTF_8), KEY));
    }

    @Test
    void refusesATamperedFieldWhenSigned() {
        String json = new String(AlertCodec.encode(REFUSED, KEY), StandardCharsets.UTF_8);
        for (String tampered : new String[] {
                json.replace("\"refused\"", "\"promoted\""),
                json.replace("\"candidate\":11", "\"candidate\":12"),
                json.replace("\"testAccuracy\":0.0435", "\"testAccuracy\":0.9435"),
                json.replace("below", "above"),
                json.replace("inference-0", "inference-1"),
                json.replace("15:00:00Z", "15:00:01Z"),
                json.replace("fmnist-softmax", "fmnist-cnn"),
                json.replace("\"live\":10", "\"live\":10,\"extra\":1")}) {
            assertFalse(tampered.equals(json), tampered);
            assertEquals(AlertCodec.Refusal.FORGED, refusal(tampered, KEY), tampered);
        }
        assertEquals(AlertCodec.Refusal.FORGED, refusal(AlertCodec.encode(REFUSED, OTHER_KEY), KEY), "another key's");
        assertEquals(AlertCodec.Refusal.FORGED, refusal(json.replaceAll("\"signature\":\"[^\"]*\"",
                "\"signature\":\"not base64!\""), KEY));
    }

    @Test
    void refusesAnUnsignedAlertWhenTheReaderHasKeysAndAcceptsItWithout() {
        byte[] unsigned = AlertCodec.encode(REFUSED, null);
        assertFalse(new String(unsigned, StandardCharsets.UTF_8).contains("signature"), "no signature field at all");
        assertEquals(AlertCodec.Refusal.UNSIGNED, refusal(unsigned, KEY));
        assertEquals(REFUSED, AlertCodec.decode(unsigned, null), "a reader without keys (auth off) accepts it");
        assertEquals(REFUSED, AlertCodec.decode(AlertCodec.encode(REFUSED, KEY), null), "and ignores a signature");
    }

    @Test
    void refusesWhatIsNotAnAlert() {
        for (String bad : new String[] {"", "[]", "{}", "{\"kind\":\"panic\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\"}",
                "{\"kind\":\"drift\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"yesterday\"}",
                "{\"kind\":\"drift\",\"model\":\"a b\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\"}",
                "{\"kind\":\"drift\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\",\"versions\":{\"live\":-1}}",
                "{\"kind\":\"drift\",\"model\":\"m\",\"reason\":\"r\",\"source\":\"s\",\"time\":\"2026-12-07T15:00:00Z\"} trailing"}) {
            assertEquals(AlertCodec.Refusal.MALFORMED, refusal(bad, null), bad);
            assertEquals(AlertCodec.Refusal.MALFORMED, refusal(bad, KEY), "malformed before any signature: " + bad);
        }
        assertEquals(AlertCodec.Refusal.MALFORMED, refusal((byte[]) null, KEY));
        assertThrows(IllegalArgumentException.class, () -> new Alert(Alert.Kind.DRIFT, "m", Map.of(), "r",
                Map.of("psi", Double.NaN), "s", Instant.EPOCH));
    }

    @Test
    void takesARecordAtTheCapAndRefusesOneOver() {
        byte[] signed = AlertCodec.encode(REFUSED, KEY);
        // padded with spaces (valid JSON) to exactly the cap: read and verified
        byte[] atCap = new byte[AlertCodec.MAX_RECORD_BYTES];
        java.util.Arrays.fill(atCap, (byte) ' ');
        System.arraycopy(signed, 0, atCap, 0, signed.length);
        assertEquals(REFUSED, AlertCodec.decode(atCap, KEY));
        byte[] over = java.util.Arrays.copyOf(atCap, AlertCodec.MAX_RECORD_BYTES + 1);
        over[over.length - 1] = ' ';
        assertEquals(AlertCodec.Refusal.OVERSIZED, refusal(over, KEY));
        assertEquals(AlertCodec.Refusal.OVERSIZED, refusal(over, null));
        // the largest alert the contract allows (32 figures, a 1,000-character reason) fits well within the cap
        Map<String, Double> figures = new java.util.HashMap<>();
        for (int i = 0; i < Alert.MAX_ENTRIES; i++) {
            figures.put("f" + "x".repeat(60) + i, -Double.MIN_NORMAL * i);
        }
        Alert largest = new Alert(Alert.Kind.DRIFT, "m".repeat(64), Map.of(), "\u2603".repeat(Alert.MAX_REASON),
                figures, "s".repeat(64), Instant.EPOCH);
        byte[] largestRecord = AlertCodec.encode(largest, KEY);
        assertTrue(largestRecord.length < AlertCodec.MAX_RECORD_BYTES, largestRecord.length + " bytes");
        assertEquals(largest, AlertCodec.decode(largestRecord, KEY));
    }

    @Test
    void cutsAnOverlongReason() {
        Alert a = new Alert(Alert.Kind.DRIFT, "m", Map.of(), "x".repeat(5000), Map.of(), "s", Instant.EPOCH);
        assertEquals(Alert.MAX_REASON, a.reason().length());
    }
}
