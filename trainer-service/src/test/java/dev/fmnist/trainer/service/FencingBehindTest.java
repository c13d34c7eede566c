package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.trainer.messaging.FencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** A fencing in the background must decide the run even when the training thread failed on an outage first. */
class FencingBehindTest {

    @Test
    void aFencingSuppressedByAnOutageIsFound() {
        TimeoutException outage = new TimeoutException("Failed to get offsets by times in 30000ms");
        FencedException fenced = new FencedException("another trainer took over", null);
        outage.addSuppressed(fenced);
        // the outage alone would be retried by SelfHealingRun: the fencing behind it must win
        assertTrue(SelfHealingRun.isTransient(new TimeoutException("the same outage, alone")));
        assertSame(fenced, FencedException.in(outage).orElseThrow());
        assertFalse(SelfHealingRun.isTransient(outage));
    }

    @Test
    void aFencingSuppressedDeeperIsFoundAndNoneIsNone() {
        RuntimeException closing = new IllegalStateException("closing the consumer");
        FencedException fenced = new FencedException("another trainer took over", null);
        closing.addSuppressed(fenced);
        TimeoutException outage = new TimeoutException("timed out");
        outage.addSuppressed(closing);
        assertSame(fenced, FencedException.in(outage).orElseThrow());
        assertTrue(FencedException.in(new TimeoutException("only an outage")).isEmpty());
        assertSame(fenced, FencedException.in(new IllegalStateException("wrapped", fenced)).orElseThrow(), "as a cause");
    }
}
