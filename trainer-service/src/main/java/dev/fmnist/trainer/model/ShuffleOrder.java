package dev.fmnist.trainer.model;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits its samples, as a streaming shuffle buffer would produce it:
 * samples arrive in topic order, fill a buffer of {@code bufferSize} slots, and each emitted sample
 * is a uniformly chosen slot, refilled by the next arrival; at the end the buffer drains in random
 * order. With a buffer at least as large as the split this is a uniform random permutation (d2l's
 * full shuffle); smaller buffers bound how far a sample can move.
 */
public final class ShuffleOrder {
    private ShuffleOrder() {
    }

    /**
     * @param count      number of samples, indexed 0..count-1 in arrival order
     * @param bufferSize shuffle buffer slots; 0 or less means the whole split
     * @param seed       the run's seed
     * @param epoch      1-based epoch number: each epoch has its own, reproducible order
     */
    public static int[] of(int count, int bufferSize, long seed, int epoch) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] order = new int[count];
        if (bufferSize <= 0 || bufferSize >= count) {
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            for (int i = count - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return order;
        }
        int[] slots = new int[bufferSize];
        int filled = 0;
        int out = 0;
        for (int next = 0; next < count; next++) {
            if (filled < bufferSize) {
                slots[filled++] = next;
            } else {
                int k = random.nextInt(bufferSize);
                order[out++] = slots[k];
                slots[k] = next;
            }
        }
        for (int remaining = filled; remaining > 0; remaining--) {
            int k = random.nextInt(remaining);
            order[out++] = slots[k];
            slots[k] = slots[remaining - 1];
        }
        return order;
    }
}
