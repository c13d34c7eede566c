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
    void parsesCommaSeparatedBase64AndSignsWithTheFirst() {
        String a = SnapshotSigning.generateKey();
        String b = SnapshotSigning.generateKey();
        byte[] data = "payload".getBytes(StandardCharsets.UTF_8);
        SnapshotSigning both = SnapshotSigning.parse(a + " , " + b);
        SnapshotSigning onlyA = SnapshotSigning.parse(a);
        SnapshotSigning onlyB = SnapshotSigning.parse(b);
        byte[] mac = both.sign(data, data.length);
        assertEquals(SnapshotSigning.MAC_BYTES, mac.length);
        assertTrue(onlyA.verify(data, data.length, mac));
        assertFalse(onlyB.verify(data, data.length, mac));
        assertTrue(both.verify(data, data.length, onlyB.sign(data, data.length)));
        assertFalse(onlyA.verify(data, data.length - 1, mac), "the MAC covers exactly the given length");
    }

    @Test
    void refusesShortMissingOrMalformedKeysWithoutEchoingThem() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.parse(shortKey))
                .getMessage().contains("at least 32 bytes"));
        assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.parse(null));
        String bad = "not base64 at all!!";
        String message = assertThrows(IllegalArgumentException.class, () -> SnapshotSigning.parse(bad)).getMessage();
        assertTrue(message.contains("key 1 is not valid base64"));
        assertFalse(message.contains(bad));
        assertFalse(SnapshotSigning.parse(SnapshotSigning.generateKey()).toString().contains("="), "toString holds no key");
    }

    @Test
    void acceptsTheUrlAlphabet() {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) 0xFB);
        String url = Base64.getUrlEncoder().encodeToString(raw);
        assertTrue(url.contains("-") || url.contains("_"));
        byte[] data = {1, 2, 3};
        assertTrue(SnapshotSigning.of(java.util.List.of(raw)).verify(data, 3, SnapshotSigning.parse(url).sign(data, 3)));
    }
}
