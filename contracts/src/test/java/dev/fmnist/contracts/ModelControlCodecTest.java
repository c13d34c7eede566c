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

    /** A key pair from a fixed seed: Ed25519 signatures are deterministic, so its records are fixed bytes. */
    private static final SnapshotSigning FIXED = SnapshotSigning.signer(fixedSeed(), null);
    /** Written by the codec that walked Jackson trees by hand (before the records), with {@link #FIXED}. */
    private static final String PIN_WRITTEN_BEFORE = "{\"model\":\"fmnist-softmax\",\"pinnedVersion\":3,\"action\":\"pin\","
            + "\"updatedAt\":1767225600123,\"signature\":\"qERwd2aTsUx9XgTNCu84EvjZqFmAkNditppmG6AqE1qDUz/wJecYlIrxlyuPvNtRXN"
            + "JJ9EYPNizf/JYWP0PcDw==\"}";
    private static final String VERDICT_WRITTEN_BEFORE = "{\"model\":\"fmnist-cnn\",\"version\":12,\"action\":\"roll-back\","
            + "\"reason\":\"online accuracy 0.80 against v11's 0.84: worse \u2014 \\\"quoted\\\"\",\"updatedAt\":1767225600123,"
            + "\"signature\":\"t+z2teGfz831FDS1mzwT7o7dWV/+5ohGr2JOoDMw59W22380G6iIkQC27+t7oJMjI3xp6uOF7XhmdfA+Rm2oAg==\"}";

    private static String fixedSeed() {
        byte[] seed = new byte[SnapshotSigning.KEY_BYTES];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = (byte) (i * 7 + 1);
        }
        return java.util.Base64.getEncoder().encodeToString(seed);
    }

    @Test
    void recordsWrittenBeforeTheRecordBindingStillVerifyAndAreWrittenByteForByteAlike() {
        ModelControl pin = new ModelControl("fmnist-softmax", 3, ModelControl.Action.PIN, AT);
        ModelVerdict rollBack = new ModelVerdict("fmnist-cnn", 12, ModelVerdict.Verdict.ROLL_BACK,
                "online accuracy 0.80 against v11's 0.84: worse \u2014 \"quoted\"", AT);
        byte[] pinBefore = PIN_WRITTEN_BEFORE.getBytes(StandardCharsets.UTF_8);
        byte[] verdictBefore = VERDICT_WRITTEN_BEFORE.getBytes(StandardCharsets.UTF_8);
        SnapshotSigning reader = SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(fixedSeed()));
        assertEquals(pin, ModelControlCodec.decode(pinBefore, reader));
        assertEquals(rollBack, ModelControlCodec.decodeVerdict(verdictBefore, reader));
        assertEquals(PIN_WRITTEN_BEFORE, new String(ModelControlCodec.encode(pin, FIXED), StandardCharsets.UTF_8));
        assertEquals(VERDICT_WRITTEN_BEFORE, new String(ModelControlCodec.encodeVerdict(rollBack, FIXED), StandardCharsets.UTF_8));
    }

    @Test
    void bindsStrictly() {
        String pin = "{\"model\":\"m\",\"pinnedVersion\":3,\"action\":\"pin\",\"updatedAt\":1";
        assertEquals(new ModelControl("m", 3, ModelControl.Action.PIN, Instant.ofEpochMilli(1)),
                ModelControlCodec.decode((pin + "}").getBytes(StandardCharsets.UTF_8), null));
        assertTrue(rejected(pin + ",\"pinnedVersio\":3}", null).contains(
                "unknown field 'pinnedVersio' (allowed: action, model, pinnedVersion, signature, updatedAt)"));
        assertTrue(rejected(pin.replace("\"pinnedVersion\":3", "\"pinnedVersion\":3.0") + "}", null)
                .contains("field 'pinnedVersion' is not of that kind"), "integers only");
        assertTrue(rejected(pin.replace("\"pinnedVersion\":3", "\"pinnedVersion\":\"3\"") + "}", null)
                .contains("field 'pinnedVersion'"), "a string is no number");
        assertTrue(rejected(pin.replace("\"model\":\"m\"", "\"model\":7") + "}", null).contains("field 'model'"),
                "a number is no string");
        assertTrue(rejected(pin.replace("\"updatedAt\":1", "\"updatedAt\":1e3") + "}", null).contains("field 'updatedAt'"));
        assertTrue(rejected(pin.replace("\"updatedAt\":1", "\"updatedAt\":99999999999999999999") + "}", null)
                .contains("needs"), "out of the range of a long");
        assertTrue(rejected(pin.replace(",\"updatedAt\":1", "") + "}", null).contains("field 'updatedAt' is missing"));
        assertTrue(rejected(pin.replace("\"model\":\"m\"", "\"model\":null") + "}", null).contains("needs"));
        assertTrue(rejected(pin + "}{}", null).contains("something follows the object"));
        assertTrue(rejected(pin + "} x", null).contains("model control"));
        assertTrue(rejected("\"text\"", null).contains("expected a JSON object"));
        assertTrue(rejected("{\"model\":\"m\"," + pin.substring(1) + "}", null).contains("a field is given twice"));
        String verdict = new String(ModelControlCodec.encodeVerdict(new ModelVerdict("m", 3, ModelVerdict.Verdict.PROMOTE,
                "passed", AT), null), StandardCharsets.UTF_8);
        assertTrue(rejectedVerdict(verdict.replace("}", ",\"extra\":{\"a\":1}}"), null).contains("unknown field 'extra'"));
        String padded = verdict.replace("\"passed\"", "\"" + " ".repeat(ModelControlCodec.MAX_RECORD_BYTES) + "\"");
        assertTrue(rejectedVerdict(padded, null).contains("exceeds " + ModelControlCodec.MAX_RECORD_BYTES));
    }

    private static String rejectedVerdict(String json, SnapshotSigning signing) {
        return assertThrows(WireFormatException.class,
                () -> ModelControlCodec.decodeVerdict(json.getBytes(StandardCharsets.UTF_8), signing)).getMessage();
    }
}
