package dev.fmnist.contracts.memory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bytes that concurrent holders of one kind of memory (image decodes, request bodies) may take together,
 * so that many legal but large inputs at once cannot exhaust the heap. A holder takes its bytes before it
 * allocates them and gives them back by closing its {@link Lease}. The policies built on it (what a
 * refusal means, how long to wait) are {@link dev.fmnist.contracts.image.DecodeBudget} and the services'
 * body budgets.
 */
public final class ByteBudget {
    /** Permits are KiB: a Semaphore counts in int, and a budget may exceed 2 GiB. */
    private static final long UNIT = 1024;
    private static final long MINIMUM = 1L << 20;

    private final String what;
    private final long totalBytes;
    private final int totalUnits;
    private final Semaphore units;

    /**
     * @param what       what the budget holds, for messages ("decode budget")
     * @param totalBytes at least 1 MiB
     */
    public ByteBudget(String what, long totalBytes) {
        if (totalBytes < MINIMUM) {
            throw new IllegalArgumentException(what + " of " + totalBytes + " bytes is below 1 MiB");
        }
        this.what = what;
        this.totalUnits = (int) Math.min(Integer.MAX_VALUE, totalBytes / UNIT);
        this.totalBytes = totalUnits * UNIT;
        // fair: a large holder waiting at the head is not overtaken forever by small ones
        this.units = new Semaphore(totalUnits, true);
    }

    /** {@code fraction} of this JVM's maximum heap (-Xmx / MaxRAMPercentage), at least 1 MiB. */
    public static long heapShare(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("heap fraction must be in (0, 1], not " + fraction);
        }
        return Math.max(MINIMUM, (long) (Runtime.getRuntime().maxMemory() * fraction));
    }

    public String what() {
        return what;
    }

    public long totalBytes() {
        return totalBytes;
    }

    /** Bytes not held right now. */
    public long availableBytes() {
        return units.availablePermits() * UNIT;
    }

    /** Whether {@code bytes} could ever be held: no more than the whole budget. */
    public boolean fits(long bytes) {
        return units(bytes) <= totalUnits;
    }

    /**
     * Takes {@code bytes} now if they are free, without waiting (for event-loop threads).
     *
     * @throws IllegalArgumentException when they exceed the whole budget (check {@link #fits} first)
     */
    public Optional<Lease> tryAcquire(long bytes) {
        int n = checkedUnits(bytes);
        return units.tryAcquire(n) ? Optional.of(new Lease(n)) : Optional.empty();
    }

    /**
     * Takes {@code bytes}, waiting up to {@code wait} for them to become free.
     *
     * @throws IllegalArgumentException when they exceed the whole budget (check {@link #fits} first)
     * @throws InterruptedException     when interrupted while waiting
     */
    public Optional<Lease> tryAcquire(long bytes, Duration wait) throws InterruptedException {
        int n = checkedUnits(bytes);
        return units.tryAcquire(n, wait.toNanos(), TimeUnit.NANOSECONDS) ? Optional.of(new Lease(n)) : Optional.empty();
    }

    private int checkedUnits(long bytes) {
        long n = units(bytes);
        if (n > totalUnits) {
            throw new IllegalArgumentException(bytes + " bytes exceed the whole " + what + " of " + totalBytes + " bytes");
        }
        return (int) n;
    }

    private static long units(long bytes) {
        return Math.max(1, (Math.max(0, bytes) + UNIT - 1) / UNIT);
    }

    /** Bytes held by one holder; closing it twice releases once. */
    public final class Lease implements AutoCloseable {
        private int held;

        private Lease(int held) {
            this.held = held;
        }

        @Override
        public synchronized void close() {
            if (held > 0) {
                units.release(held);
                held = 0;
            }
        }
    }
}
