package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoverageTest {
    static List<String> fresh(Coverage c, long from, long to) {
        return c.add(from, to).stream().map(r -> r[0] + "-" + r[1]).toList();
    }

    @Test
    void newRangesAreReturnedAndOverlapsAreNot() {
        Coverage c = new Coverage();
        assertEquals(List.of("0-4"), fresh(c, 0, 4));
        assertEquals(List.of("8-10"), fresh(c, 8, 10));
        assertEquals(List.of("4-8"), fresh(c, 3, 9), "only the gap between the two is new");
        assertEquals(List.of(), fresh(c, 0, 10));
        assertEquals(List.of("10-12", "20-21"), List.of(fresh(c, 9, 12).get(0), fresh(c, 20, 21).get(0)));
        assertEquals(List.of("12-20"), fresh(c, 0, 30).subList(0, 1));
        assertEquals(30, c.covered());
        assertEquals(25, c.coveredBelow(25));
    }

    @Test
    void aForgedFarPositionCostsOneRange() {
        Coverage c = new Coverage();
        c.add(1_000_000, 1_000_001);
        c.add(0, 10);
        assertEquals(10, c.coveredBelow(10));
        assertEquals(11, c.covered());
    }
}
