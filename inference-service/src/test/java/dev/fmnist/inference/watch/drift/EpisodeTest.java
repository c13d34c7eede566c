package dev.fmnist.inference.watch.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpisodeTest {
    @Test
    void startsAtTheThresholdAndEndsOnlyBelowTheClearLevel() {
        Episode e = new Episode(0.25, 0.1);
        List<Episode.Change> changes = new ArrayList<>();
        for (double psi : new double[] {0.05, 0.24, 0.25, 0.4, 0.2, 0.3, 0.11, 0.1, 0.09, 0.2, 0.26}) {
            changes.add(e.update(psi));
        }
        assertEquals(List.of(Episode.Change.NONE, Episode.Change.NONE, Episode.Change.STARTED, Episode.Change.NONE,
                Episode.Change.NONE, Episode.Change.NONE, Episode.Change.NONE, Episode.Change.NONE,
                Episode.Change.ENDED, Episode.Change.NONE, Episode.Change.STARTED), changes);
    }

    @Test
    void theClearLevelIsPositiveAndNotAboveTheThreshold() {
        assertThrows(IllegalArgumentException.class, () -> new Episode(0.1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> new Episode(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Episode(Double.NaN, 0.1));
    }
}
