package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotKeysTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keysNameModelAndVersionAndSortByVersion() {
        assertEquals("fmnist-softmax@0000000000000000010", new String(SnapshotKeys.key("fmnist-softmax", 10), StandardCharsets.UTF_8));
        assertEquals(Optional.of(new SnapshotKeys.Key("fmnist-softmax", 10)), SnapshotKeys.parse(SnapshotKeys.key("fmnist-softmax", 10)));
        assertEquals(Optional.of(new SnapshotKeys.Key("a@b", WeightSnapshotCodec.MAX_VERSION)),
                SnapshotKeys.parse(SnapshotKeys.key("a@b", WeightSnapshotCodec.MAX_VERSION)));
        String v9 = new String(SnapshotKeys.key("m", 9), StandardCharsets.UTF_8);
        String v10 = new String(SnapshotKeys.key("m", 10), StandardCharsets.UTF_8);
        assertTrue(v9.compareTo(v10) < 0);
        assertThrows(IllegalArgumentException.class, () -> SnapshotKeys.key("m", 0));
    }

    @Test
    void otherKeysAreNotVersionKeys() {
        assertEquals(Optional.empty(), SnapshotKeys.parse(null));
        assertEquals(Optional.empty(), SnapshotKeys.parse(utf8("fmnist-softmax")));
        assertEquals(Optional.empty(), SnapshotKeys.parse(utf8("m#0000000000000000010")));
        assertEquals(Optional.empty(), SnapshotKeys.parse(utf8("m@000000000000000001x")));
        assertEquals(Optional.empty(), SnapshotKeys.parse(utf8("m@0000000000000000000")));
        assertEquals(Optional.empty(), SnapshotKeys.parse(utf8("m@9999999999999999999")), "beyond a long");
    }

    @Test
    void belongsToMatchesVersionedAndLegacyKeysOfTheModelOnly() {
        assertTrue(SnapshotKeys.belongsTo(SnapshotKeys.key("m", 3), "m"));
        assertTrue(SnapshotKeys.belongsTo(utf8("m"), "m"));
        assertFalse(SnapshotKeys.belongsTo(SnapshotKeys.key("other", 3), "m"));
        assertFalse(SnapshotKeys.belongsTo(utf8("other"), "m"));
        assertFalse(SnapshotKeys.belongsTo(null, "m"));
    }
}
