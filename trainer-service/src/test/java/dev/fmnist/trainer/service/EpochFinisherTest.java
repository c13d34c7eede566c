package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EpochFinisherTest {

    @Test
    void tasksRunOnItsOwnThreadInOrderWithAtMostOneInFlight() throws Exception {
        List<Integer> done = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Thread caller = Thread.currentThread();
        AtomicBoolean onCaller = new AtomicBoolean();
        try (EpochFinisher finisher = new EpochFinisher()) {
            for (int i = 1; i <= 5; i++) {
                int n = i;
                assertTrue(finisher.submit(() -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    onCaller.compareAndSet(false, Thread.currentThread() == caller);
                    Thread.sleep(20); // a task that takes a while
                    done.add(n);
                    running.decrementAndGet();
                    return true;
                }));
                // a submission returns once the task before it is done: the caller is at most one task ahead
                assertEquals(n - 1, done.size());
            }
            assertTrue(finisher.await());
        }
        assertEquals(List.of(1, 2, 3, 4, 5), done);
        assertEquals(1, mostAtOnce.get());
        assertFalse(onCaller.get());
    }

    @Test
    void theCallerGoesOnWhileATaskRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (EpochFinisher finisher = new EpochFinisher()) {
            // the task only ends well if the caller, back from submit, releases it: a submit that waited for
            // its own task would see it time out and answer false
            finisher.submit(() -> release.await(30, TimeUnit.SECONDS));
            release.countDown();
            assertTrue(finisher.await());
        }
    }

    @Test
    void aFailureReachesTheCallerAsItWasThrownAtTheNextSubmission() {
        IllegalStateException failure = new IllegalStateException("snapshot v3 was not committed");
        AtomicBoolean second = new AtomicBoolean();
        EpochFinisher finisher = new EpochFinisher();
        finisher.submit(() -> {
            throw failure;
        });
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> finisher.submit(() -> {
            second.set(true);
            return true;
        }));
        assertSame(failure, thrown);
        finisher.close();
        assertFalse(second.get(), "nothing runs after a failed task");
    }

    @Test
    void aFailureStillInFlightIsThrownByClose() {
        EpochFinisher finisher = new EpochFinisher();
        finisher.submit(() -> {
            throw new IllegalArgumentException("fenced");
        });
        assertEquals("fenced", assertThrows(IllegalArgumentException.class, finisher::close).getMessage());
    }

    @Test
    void afterAStoppedTaskNothingMoreStarts() {
        AtomicBoolean second = new AtomicBoolean();
        try (EpochFinisher finisher = new EpochFinisher()) {
            assertTrue(finisher.submit(() -> false));
            assertFalse(finisher.submit(() -> {
                second.set(true);
                return true;
            }));
            assertTrue(finisher.await(), "nothing in flight any more");
        }
        assertFalse(second.get());
    }

    @Test
    void aCheckedFailureIsWrappedWithItsCause() {
        Exception cause = new java.io.IOException("disk");
        EpochFinisher finisher = new EpochFinisher();
        finisher.submit(() -> {
            throw cause;
        });
        IllegalStateException thrown = assertThrows(IllegalStateException.class, finisher::await);
        assertSame(cause, thrown.getCause());
        assertNotEquals(null, thrown.getMessage());
        finisher.close();
    }
}
