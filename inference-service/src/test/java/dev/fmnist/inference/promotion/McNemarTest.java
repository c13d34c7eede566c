package dev.fmnist.inference.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class McNemarTest {
    @Test
    void theExactOneSidedPValueIsTheBinomialTail() {
        // n = 10 discordant pairs, b = 8: P(X >= 8) = (45 + 10 + 1) / 1024
        assertEquals(56.0 / 1024, McNemar.pWorse(8, 2), 1e-12);
        assertEquals(1.0, McNemar.pWorse(0, 0));
        assertEquals(1.0, McNemar.pWorse(0, 7));
        assertEquals(0.5 + 252.0 / 1024 / 2, McNemar.pWorse(5, 5), 1e-12, "symmetric: P(X >= n/2)");
        // large n stays finite and accurate (logs): b = c + 3 sd on 10,000 pairs is about the normal tail 0.00135
        double p = McNemar.pWorse(5150, 4850);
        assertTrue(p > 0.001 && p < 0.0016, "p = " + p);
    }

    @Test
    void onlyTheLiveVersionBeingWorseCountsAtTheBonferroniLevelOfOneLook() {
        // 0.83 baseline against a 0.79 live version, 15 % of pairs discordant: after 1000 labelled requests
        // b = 95, c = 55 (p = 0.0007): worse at one look of ten (0.001), not yet at one of fifty (0.0002)
        assertTrue(McNemar.worse(95, 55, 0.99, 10));
        assertFalse(McNemar.worse(95, 55, 0.99, 50));
        assertTrue(McNemar.worse(190, 110, 0.99, 50), "after 2000 it is at any number of looks");
        assertFalse(McNemar.worse(55, 95, 0.99, 10), "the live version better is no reason to roll back");
        // 60 against 50: p = 0.19, nothing
        assertFalse(McNemar.worse(60, 50, 0.99, 50));
        // p about 0.002: significant at a single look of 0.99, not at one of 50
        assertTrue(McNemar.worse(75, 45, 0.99, 1));
        assertFalse(McNemar.worse(75, 45, 0.99, 10));
    }
}
