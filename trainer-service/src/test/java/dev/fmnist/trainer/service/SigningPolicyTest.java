package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SigningPolicyTest {
    static final String KEY = "dGVzdC1zbmFwc2hvdC1zaWduaW5nLWtleS0zMi1ieXQ=";

    @Test
    void noKeyRefusesToTrainWhileAuthIsOn() {
        String reason = assertThrows(IllegalArgumentException.class,
                () -> SigningPolicy.resolve(Optional.empty(), Optional.empty(), true)).getMessage();
        assertTrue(reason.contains("no snapshot signing key configured"), reason);
        assertThrows(IllegalArgumentException.class, () -> SigningPolicy.resolve(Optional.of("  "), Optional.empty(), true));
    }

    @Test
    void authDisabledAllowsUnsigned() {
        assertFalse(SigningPolicy.resolve(Optional.empty(), Optional.empty(), false).isPresent());
    }

    @Test
    void aConfiguredKeySignsAndABadOneIsNamedNotShown() {
        assertTrue(SigningPolicy.resolve(Optional.of(KEY), Optional.empty(), true).orElseThrow().canSign());
        String reason = assertThrows(IllegalArgumentException.class,
                () -> SigningPolicy.resolve(Optional.of(KEY), Optional.of("c2hvcnQ="), false)).getMessage();
        assertTrue(reason.startsWith("fmnist.snapshots.signing-key / public-keys: "), reason);
        assertThrows(IllegalArgumentException.class,
                () -> SigningPolicy.resolve(Optional.of("c2hvcnQ="), Optional.empty(), false));
        assertFalse(reason.contains("c2hvcnQ"), reason);
    }
}
