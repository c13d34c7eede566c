package dev.fmnist.contracts.image;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bytes that all concurrent image decodes of a process may hold together, so that many legal but
 * large images at once cannot exhaust the heap. A decode acquires its {@link ImageHeader#decodedBytes()
 * cost} before allocating anything and releases it when done; when the budget is spent it waits a
 * little, then gives up with a {@link DecodeBusyException}. One instance per process, shared by
 * every decoding path (the services build it from their config).
 */
public final class DecodeBudget {
    /** Permits are KiB: a Semaphore counts in int, and a budget may exceed 2 GiB. */
    private static final long UNIT = 1024;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final long totalBytes;
    private final int totalUnits;
    private final Semaphore units;

    /** @param totalBytes at least 1 MiB */
    public DecodeBudget(long totalBytes) {
        if (totalBytes < (1L << 20)) {
            throw new IllegalArgumentException("decode budget of " + totalBytes + " bytes is below 1 MiB");
        }
        this.totalUnits = (int) Math.min(Integer.MAX_VALUE, totalBytes / UNIT);
        this.totalBytes = totalUnits * UNIT;
        // fair: a large decode waiting at the head is not overtaken forever by small ones
        this.units = new Semaphore(totalUnits, true);
    }

    /** A budget of {@code fraction} of this JVM's maximum heap (-Xmx / MaxRAMPercentage). */
    public static DecodeBudget ofHeap(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("heap fraction must be in (0, 1], not " + fraction);
        }
        return new DecodeBudget(Math.max(1L << 20, (long) (Runtime.getRuntime().maxMemory() * fraction)));
    }

    public long totalBytes() {
        return totalBytes;
    }

    /** Bytes not held by a decode right now. */
    public long availableBytes() {
        return units.availablePermits() * UNIT;
    }

    /**
     * Holds {@code bytes} of the budget until the lease is closed.
     *
     * @throws ImageFormatException (too large) when bytes exceed the whole budget: it could never fit
     * @throws DecodeBusyException  when the bytes did not become free within {@code wait}
     */
    public Lease acquire(long bytes, Duration wait) {
        long needed = Math.max(1, (bytes + UNIT - 1) / UNIT);
        if (needed > totalUnits) {
            throw new ImageFormatException("decoding needs " + bytes + " bytes, more than the whole decode budget of "
                    + totalBytes + " bytes", true);
        }
        int n = (int) needed;
        boolean acquired;
        try {
            acquired = units.tryAcquire(n, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DecodeBusyException("interrupted while waiting for the decode budget", RETRY_AFTER);
        }
        if (!acquired) {
            throw new DecodeBusyException("too many images are being decoded at once (" + bytes + " bytes needed, "
                    + availableBytes() + " of " + totalBytes + " free): try again shortly", RETRY_AFTER);
        }
        return new Lease(n);
    }

    /** Budget held by one decode; closing it twice releases once. */
    public final class Lease implements AutoCloseable {
        private int held;

        private Lease(int held) {
            this.held = held;
        }

        @Override
        public void close() {
            if (held > 0) {
                units.release(held);
                held = 0;
            }
        }
    }
}
