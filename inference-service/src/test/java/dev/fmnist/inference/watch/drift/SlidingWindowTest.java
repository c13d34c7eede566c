package dev.fmnist.inference.watch.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
    private static int packed(Random rnd, int slots) {
        int p = 0;
        for (int s = 0; s < slots; s++) {
            p = SlidingWindow.pack(p, s, rnd.nextInt(16));
        }
        return p;
    }

    /** The counts of the last {@code size} of {@code added}, recounted. */
    private static int[] recount(List<Integer> added, int size, int slots) {
        int[] c = new int[slots << SlidingWindow.BITS];
        for (int p : added.subList(Math.max(0, added.size() - size), added.size())) {
            for (int s = 0; s < slots; s++) {
                c[(s << SlidingWindow.BITS) + SlidingWindow.unpack(p, s)]++;
            }
        }
        return c;
    }

    @Test
    void theCountsAreThoseOfTheLastRequestsOnlyWhateverWasAdded() {
        Random rnd = new Random(7);
        SlidingWindow w = new SlidingWindow(100, 6);
        List<Integer> added = new ArrayList<>();
        for (int i = 1; i <= 1_050; i++) {
            int p = packed(rnd, 6);
            added.add(p);
            assertEquals(i, w.add(p));
            if (i == 50 || i == 100 || i % 97 == 0 || i == 1_050) {
                assertArrayEquals(recount(added, 100, 6), w.counts(), "after " + i);
                assertEquals(Math.min(i, 100), w.filled());
            }
        }
        assertEquals(100, w.size(), "the ring never grows");
        int[] c = w.counts();
        for (int s = 0; s < 6; s++) {
            int sum = 0;
            for (int b = 0; b < 16; b++) {
                sum += c[(s << SlidingWindow.BITS) + b];
            }
            assertEquals(100, sum, "slot " + s + " counts the window's 100 requests");
        }
    }

    @Test
    void concurrentAddsKeepTheCountsConsistent() throws Exception {
        SlidingWindow w = new SlidingWindow(1000, 5);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                tasks.add(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 50_000; i++) {
                        w.add(packed(rnd, 5));
                    }
                    return null;
                });
            }
            for (var f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int[] c = w.counts();
        for (int s = 0; s < 5; s++) {
            int sum = 0;
            for (int b = 0; b < 16; b++) {
                int n = c[(s << SlidingWindow.BITS) + b];
                assertEquals(true, n >= 0, "no negative count");
                sum += n;
            }
            assertEquals(1000, sum);
        }
        assertEquals(200_001, w.add(0));
    }

    @Test
    void sizeAndSlotsAreBounded() {
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindow(0, 5));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindow(10, SlidingWindow.MAX_SLOTS + 1));
    }
}
