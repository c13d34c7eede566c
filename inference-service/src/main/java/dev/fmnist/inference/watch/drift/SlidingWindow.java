package dev.fmnist.inference.watch.drift;

/**
 * The last {@code size} requests of one model, as bin indices, with the count of each bin of each slot
 * (a slot is one feature, or the answered class). Memory is fixed at construction whatever the request
 * rate: a ring of {@code size} ints (a request's bins packed 4 bits per slot) and 16 counts per slot. Adding
 * a request replaces the oldest one in the ring and in the counts, under a lock held for a few array writes;
 * the features are computed before, outside it.
 */
final class SlidingWindow {
    /** Bits per slot in a packed request: up to {@value DriftReference#MAX_BINS} bins. */
    static final int BITS = 4;
    private static final int MASK = (1 << BITS) - 1;
    /** Most slots a packed int holds. */
    static final int MAX_SLOTS = Integer.SIZE / BITS;

    private final int[] ring;
    private final int slots;
    private final int[] counts;
    private long seen;
    private int next;

    SlidingWindow(int size, int slots) {
        if (size < 1) {
            throw new IllegalArgumentException("window size must be at least 1, not " + size);
        }
        if (slots < 1 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("1 to " + MAX_SLOTS + " slots, not " + slots);
        }
        this.ring = new int[size];
        this.slots = slots;
        this.counts = new int[slots << BITS];
    }

    /** Packs {@code bin} (0-15) into {@code slot} of {@code packed}. */
    static int pack(int packed, int slot, int bin) {
        return packed | bin << (slot * BITS);
    }

    static int unpack(int packed, int slot) {
        return packed >>> (slot * BITS) & MASK;
    }

    int size() {
        return ring.length;
    }

    /** Adds a request's packed bins; returns how many requests were ever added, this one included. */
    synchronized long add(int packed) {
        if (seen >= ring.length) {
            int old = ring[next];
            for (int s = 0; s < slots; s++) {
                counts[(s << BITS) + unpack(old, s)]--;
            }
        }
        ring[next] = packed;
        for (int s = 0; s < slots; s++) {
            counts[(s << BITS) + unpack(packed, s)]++;
        }
        next = next + 1 == ring.length ? 0 : next + 1;
        return ++seen;
    }

    /** A copy of the counts: slot {@code s}, bin {@code b} at {@code (s << BITS) + b}. */
    synchronized int[] counts() {
        return counts.clone();
    }

    /** Requests in the window now: the size once it has filled. */
    synchronized int filled() {
        return (int) Math.min(seen, ring.length);
    }
}
