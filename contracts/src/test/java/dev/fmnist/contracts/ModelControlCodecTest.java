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
}
