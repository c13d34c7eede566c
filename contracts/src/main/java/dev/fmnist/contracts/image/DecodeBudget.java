package dev.fmnist.contracts.image;

import dev.fmnist.contracts.memory.ByteBudget;
import java.time.Duration;

/**
 * Bytes that all concurrent image decodes of a process may hold together, so that many legal but
 * large images at once cannot exhaust the heap. A decode acquires its {@link ImageHeader#decodedBytes()
 * cost} before allocating anything and releases it when done; when the budget is spent it waits a
 * little, then gives up with a {@link DecodeBusyException}. One instance per process, shared by
 * every decoding path (the services build it from their config).
 */
public final class DecodeBudget {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final ByteBudget bytes;

    /** @param totalBytes at least 1 MiB */
    public DecodeBudget(long totalBytes) {
        this.bytes = new ByteBudget("decode budget", totalBytes);
    }

    /** A budget of {@code fraction} of this JVM's maximum heap (-Xmx / MaxRAMPercentage). */
    public static DecodeBudget ofHeap(double fraction) {
        return new DecodeBudget(ByteBudget.heapShare(fraction));
    }

    public long totalBytes() {
        return bytes.totalBytes();
    }

    /** Bytes not held by a decode right now. */
    public long availableBytes() {
        return bytes.availableBytes();
    }

    /**
     * Holds {@code needed} bytes of the budget until the lease is closed.
     *
     * @throws ImageFormatException (too large) when they exceed the whole budget: it could never fit
     * @throws DecodeBusyException  when the bytes did not become free within {@code wait}
     */
    public ByteBudget.Lease acquire(long needed, Duration wait) {
        if (!bytes.fits(needed)) {
            throw new ImageFormatException("decoding needs " + needed + " bytes, more than the whole decode budget of "
                    + totalBytes() + " bytes", true);
        }
        try {
            return bytes.tryAcquire(needed, wait).orElseThrow(() -> new DecodeBusyException(
                    "too many images are being decoded at once (" + needed + " bytes needed, " + availableBytes()
                            + " of " + totalBytes() + " free): try again shortly", RETRY_AFTER));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DecodeBusyException("interrupted while waiting for the decode budget", RETRY_AFTER);
        }
    }
}
