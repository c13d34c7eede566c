package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SnapshotSigningTest {
    @Test
    void theWriterSignsAndReadersWithAnyOfThePublicKeysVerify() {
        String a = SnapshotSigning.generatePrivateKey();
        String b = SnapshotSigning.generatePrivateKey();
        byte[] data = "payload".getBytes(StandardCharsets.UTF_8);
        SnapshotSigning writerA = SnapshotSigning.signer(a, null);
        SnapshotSigning both = SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(a) + " , " + SnapshotSigning.publicKeyOf(b));
        SnapshotSigning onlyB = SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(b));
        byte[] signature = writerA.sign(data, data.length);
        assertEquals(SnapshotSigning.SIGNATURE_BYTES, signature.length);
        assertTrue(writerA.verify(data, data.length, signature), "a writer verifies with its own public key");
        assertTrue(both.verify(data, data.length, signature));
        assertFalse(onlyB.verify(data, data.length, signature));
        assertFalse(both.verify(data, data.length - 1, signature), "the signature covers exactly the given length");
        assertFalse(both.verify(data, data.length, new byte[SnapshotSigning.SIGNATURE_BYTES]));
        assertFalse(both.verify(data, data.length, new byte[3]), "a malformed signature does not verify");
    }

    @Test
    void aReaderHoldsPublicKeysOnlyAndCannotSign() {
        SnapshotSigning reader = SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(SnapshotSigning.generatePrivateKey()));
        assertFalse(reader.canSign());
        assertThrows(IllegalStateException.class, () -> reader.sign(new byte[1], 1));
    }

    @Test
    void aRotatingWriterVerifiesWhatTheOldKeySigned() {
        String old = SnapshotSigning.generatePrivateKey();
        byte[] data = {1, 2, 3};
        byte[] byOld = SnapshotSigning.signer(old, null).sign(data, 3);
        SnapshotSigning rotated = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), SnapshotSigning.publicKeyOf(old));
        assertTrue(rotated.verify(data, 3, byOld));
        assertFalse(SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), "").verify(data, 3, byOld));
    }

    @Test
    void refusesShortMissingOrMalformedKeysWithoutEchoingThem() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.verifier(shortKey))
                .getMessage().contains("needs 32 bytes"));
        assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.verifier(""));
        assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.verifier(null));
        assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.signer(null, null));
        String bad = "not base64 at all!!";
        String message = assertThrows(IllegalArgumentException.class,
                () -> SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(SnapshotSigning.generatePrivateKey()) + "," + bad))
                .getMessage();
        assertTrue(message.contains("public key 2 is not valid base64"), message);
        assertFalse(message.contains(bad));
        String key = SnapshotSigning.generatePrivateKey();
        assertFalse(SnapshotSigning.signer(key, null).toString().contains(key), "toString holds no key");
    }

    @Test
    void acceptsTheUrlAlphabet() {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) 0xFB);
        String url = Base64.getUrlEncoder().encodeToString(raw);
        assertTrue(url.contains("-") || url.contains("_"));
        byte[] data = {1, 2, 3};
        String standard = Base64.getEncoder().encodeToString(raw);
        assertTrue(SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(standard))
                .verify(data, 3, SnapshotSigning.signer(url, null).sign(data, 3)));
    }
}
