package dev.fmnist.support.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlagsTest {
    @Test
    void absentIsTheDefault() {
        assertFalse(Flags.parse("force", null, false));
        assertTrue(Flags.parse("force", null, true));
    }

    @Test
    void trueAndFalseInAnyCase() {
        assertTrue(Flags.parse("invert", "true", false));
        assertTrue(Flags.parse("invert", "TRUE", false));
        assertTrue(Flags.parse("invert", " True ", false));
        assertFalse(Flags.parse("invert", "false", true));
        assertFalse(Flags.parse("invert", "FALSE", true));
    }

    @Test
    void emptyAndAnythingElseIsRefusedWithTheReason() {
        assertEquals("force must be true or false, got an empty value",
                assertThrows(InvalidFlagException.class, () -> Flags.parse("force", "", false)).getMessage());
        assertEquals("invert must be true or false, got 'maybe'",
                assertThrows(InvalidFlagException.class, () -> Flags.parse("invert", "maybe", false)).getMessage());
        for (String v : new String[] {"1", "0", "yes", "no", "on", "t"}) {
            assertThrows(InvalidFlagException.class, () -> Flags.parse("invert", v, false), v);
        }
    }
}
