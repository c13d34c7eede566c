package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ModelControlCodecTest {
    private static final SnapshotSigning KEY = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);
    private static final Instant AT = Instant.ofEpochMilli(1_767_225_600_123L);

    private static String rejected(String json, SnapshotSigning signing) {
        return assertThrows(WireFormatException.class,
                () -> ModelControlCodec.decode(json.getBytes(StandardCharsets.UTF_8), signing)).getMessage();
    }

    @Test
    void roundTripsSigned() {
        ModelControl pin = new ModelControl("fmnist-softmax", 3, ModelControl.Action.PIN, AT);
        assertEquals(pin, ModelControlCodec.decode(ModelControlCodec.encode(pin, KEY), KEY));
        ModelControl unpin = new ModelControl("fmnist-softmax", 0, ModelControl.Action.UNPIN, AT);
        assertEquals(unpin, ModelControlCodec.decode(ModelControlCodec.encode(unpin, KEY), KEY));
        assertTrue(new String(ModelControlCodec.encode(pin, null), StandardCharsets.UTF_8)
                .contains("\"action\":\"pin\""));
    }

    @Test
    void aChangedFieldOrAnotherKeyFailsTheSignature() {
        ModelControl pin = new ModelControl("m", 3, ModelControl.Action.PIN, AT);
        String json = new String(ModelControlCodec.encode(pin, KEY), StandardCharsets.UTF_8);
        assertTrue(rejected(json.replace("\"pinnedVersion\":3", "\"pinnedVersion\":1"), KEY).contains("signature does not verify"));
        SnapshotSigning other = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);
        assertTrue(rejected(json, other).contains("signature does not verify"));
        assertTrue(rejected(new String(ModelControlCodec.encode(pin, null), StandardCharsets.UTF_8), KEY)
                .contains("signature missing"));
        String hmac = json.replaceFirst("\"signature\":\"[^\"]*\"",
                "\"signature\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\"");
        assertTrue(rejected(hmac, KEY).contains("HMAC-SHA256"), "a record of the signing before Ed25519 says so");
    }

    @Test
    void rejectsMalformedRecords() {
        assertTrue(rejected("[]", null).contains("expected a JSON object"));
        assertTrue(rejected("{", null).contains("not valid JSON"));
        assertTrue(rejected("{\"model\":\"m\",\"pinnedVersion\":1.5,\"action\":\"pin\",\"updatedAt\":1}", null).contains("needs"));
        assertTrue(rejected("{\"model\":\"m\",\"pinnedVersion\":1,\"action\":\"explode\",\"updatedAt\":1}", null).contains("model control"));
        assertTrue(rejected("{\"model\":\"m\",\"pinnedVersion\":0,\"action\":\"pin\",\"updatedAt\":1}", null).contains("PIN with pinned version 0"));
        assertTrue(rejected("{\"model\":\"m\",\"pinnedVersion\":-1,\"action\":\"pin\",\"updatedAt\":1}", null).contains("out of range"));
        assertTrue(assertThrows(WireFormatException.class, () -> ModelControlCodec.decode(new byte[5000], null))
                .getMessage().contains("exceeds"));
        assertTrue(assertThrows(WireFormatException.class, () -> ModelControlCodec.decode(null, null))
                .getMessage().contains("null"));
    }

    @Test
    void verdictsRoundTripSignedAndKeyedPerVersion() {
        ModelVerdict refuse = new ModelVerdict("fmnist-cnn", 12, ModelVerdict.Verdict.REFUSE,
                "test accuracy 0.0435 is below the live version's 0.8415 minus the tolerance 0.005", AT);
        assertEquals(refuse, ModelControlCodec.decodeVerdict(ModelControlCodec.encodeVerdict(refuse, KEY), KEY));
        assertEquals("fmnist-cnn/v12", refuse.key());
        assertEquals(new ModelVerdict.Key("fmnist-cnn", 12), ModelVerdict.parseKey("fmnist-cnn/v12").orElseThrow());
        assertTrue(ModelVerdict.parseKey("fmnist-cnn").isEmpty(), "a pin's key is no verdict's");
        assertTrue(ModelVerdict.parseKey("fmnist-cnn/v0").isEmpty());
        String json = new String(ModelControlCodec.encodeVerdict(
                new ModelVerdict("m", 3, ModelVerdict.Verdict.ROLL_BACK, "worse", AT), null), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"action\":\"roll-back\""), json);
    }

    @Test
    void aVerdictsReasonAndActionAreSignedAndAPinIsNoVerdict() {
        ModelVerdict promote = new ModelVerdict("m", 3, ModelVerdict.Verdict.PROMOTE, "passed", AT);
        String json = new String(ModelControlCodec.encodeVerdict(promote, KEY), StandardCharsets.UTF_8);
        assertTrue(rejectedVerdict(json.replace("\"passed\"", "\"other\""), KEY).contains("signature does not verify"));
        assertTrue(rejectedVerdict(json.replace("\"promote\"", "\"refuse\""), KEY).contains("signature does not verify"));
        assertTrue(rejectedVerdict(json.replace("\"version\":3", "\"version\":4"), KEY).contains("signature does not verify"));
        assertTrue(rejectedVerdict(json.replace("\"promote\"", "\"explode\""), null).contains("unknown verdict"));
        String pin = new String(ModelControlCodec.encode(new ModelControl("m", 3, ModelControl.Action.PIN, AT), KEY),
                StandardCharsets.UTF_8);
        assertTrue(rejectedVerdict(pin, KEY).contains("a verdict needs"));
        assertTrue(rejected(json, KEY).contains("model control"), "a verdict is no pin");
        String longReason = "x".repeat(ModelVerdict.MAX_REASON + 1);
        assertEquals(ModelVerdict.MAX_REASON, new ModelVerdict("m", 1, ModelVerdict.Verdict.REFUSE, longReason, AT)
                .reason().length());
    }

    private static String rejectedVerdict(String json, SnapshotSigning signing) {
        return assertThrows(WireFormatException.class,
                () -> ModelControlCodec.decodeVerdict(json.getBytes(StandardCharsets.UTF_8), signing)).getMessage();
    }
}
