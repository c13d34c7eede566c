package dev.fmnist.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShuffleOrderTest {

    @Test
    void fullBufferGivesAReproduciblePermutationPerEpoch() {
        int[] a = ShuffleOrder.of(1000, 0, 7, 1);
        assertPermutation(a);
        assertArrayEquals(a, ShuffleOrder.of(1000, 0, 7, 1), "same seed and epoch, same order");
        assertArrayEquals(a, ShuffleOrder.of(1000, 5000, 7, 1), "a buffer larger than the split is a full shuffle");
        assertFalse(Arrays.equals(a, ShuffleOrder.of(1000, 0, 7, 2)), "a new order every epoch");
        assertFalse(Arrays.equals(a, ShuffleOrder.of(1000, 0, 8, 1)), "another seed, another order");
        assertFalse(Arrays.equals(a, identity(1000)));
    }

    @Test
    void smallBufferBoundsHowEarlyASampleCanBeEmitted() {
        int buffer = 16;
        int[] order = ShuffleOrder.of(500, buffer, 3, 1);
        assertPermutation(order);
        assertFalse(Arrays.equals(order, identity(500)));
        // a sample arriving at position p cannot leave before the buffer has taken it in
        for (int out = 0; out < order.length; out++) {
            assertTrue(order[out] <= out + buffer, "sample " + order[out] + " emitted at " + out);
        }
    }

    @Test
    void tinySplits() {
        assertEquals(0, ShuffleOrder.of(0, 0, 1, 1).length);
        assertArrayEquals(new int[] {0}, ShuffleOrder.of(1, 4, 1, 1));
        assertPermutation(ShuffleOrder.of(5, 1, 1, 1));
    }

    private static int[] identity(int n) {
        int[] id = new int[n];
        for (int i = 0; i < n; i++) {
            id[i] = i;
        }
        return id;
    }

    private static void assertPermutation(int[] order) {
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertArrayEquals(identity(order.length), sorted);
    }
}
