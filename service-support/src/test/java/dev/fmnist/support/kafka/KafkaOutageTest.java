package dev.fmnist.support.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.faulttolerance.api.Guard;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class KafkaOutageTest {
    @Test
    void whatABrokerOutageProducesIsTransientAlsoWhenWrapped() {
        // the failures ingest's publication met in BrokerOutageDrillIT, as the job sees them
        assertTrue(KafkaOutage.isTransient(new IllegalStateException("publishing ... stopped after 236 of 275 batches",
                new TimeoutException("Topic fmnist.test not present in metadata after 15000 ms."))));
        assertTrue(KafkaOutage.isTransient(new IllegalStateException("could not create topics: Timed out waiting for a"
                + " node assignment", new TimeoutException("Timed out waiting for a node assignment"))));
        assertTrue(KafkaOutage.isTransient(new KafkaException("error state", new NetworkException("disconnected"))));
        assertTrue(KafkaOutage.isTransient(new RuntimeException(new java.util.concurrent.TimeoutException("ack"))));
    }

    @Test
    void refusalsAndBadInputAreNotRetried() {
        assertFalse(KafkaOutage.isTransient(new IllegalStateException("x", new RecordTooLargeException("1 MiB"))));
        assertFalse(KafkaOutage.isTransient(new AuthorizationException("no ACL")));
        assertFalse(KafkaOutage.isTransient(new IllegalArgumentException("cannot read Fashion-MNIST: truncated")));
        assertFalse(KafkaOutage.isTransient(new IllegalStateException("topic fmnist.train does not exist")));
    }

    @Test
    void backoffDoublesFromOneSecondUpToThirty() {
        assertEquals(Duration.ofSeconds(1), KafkaOutage.backoff(1));
        assertEquals(Duration.ofSeconds(4), KafkaOutage.backoff(3));
        assertEquals(Duration.ofSeconds(30), KafkaOutage.backoff(6));
        assertEquals(Duration.ofSeconds(30), KafkaOutage.backoff(Integer.MAX_VALUE));
    }

    @Test
    void theRequestPathRetriesOnlyTransientBrokerErrors() {
        assertTrue(KafkaOutage.isTransient(new TimeoutException("t")));
        assertTrue(KafkaOutage.isTransient(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("n")));
        assertFalse(KafkaOutage.isTransient(new RecordTooLargeException("big")));
        assertFalse(KafkaOutage.isTransient(new AuthorizationException("no")));
    }

    @Test
    void fencingNeverCountsAsAnOutageEvenWithARetriableCause() {
        assertFalse(KafkaOutage.isTransient(new ProducerFencedException("newer writer")));
        assertFalse(KafkaOutage.isTransient(new KafkaException("commit failed",
                (Throwable) new ProducerFencedException("fenced").initCause(new TimeoutException("t")))));
    }

    @Test
    void theGuardRetriesAnOutageWithDoublingWaitsUntilTheCallSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<Long> gaps = new CopyOnWriteArrayList<>();
        long[] last = {System.nanoTime()};
        Guard guard = KafkaOutage.guard(KafkaOutage::isTransient, Duration.ofMillis(50), Duration.ofMillis(120), -1,
                e -> { });
        String result = guard.call(() -> {
            long now = System.nanoTime();
            gaps.add((now - last[0]) / 1_000_000);
            last[0] = now;
            if (calls.incrementAndGet() < 5) {
                throw new KafkaException("send failed", new NetworkException("broker away"));
            }
            return "sent";
        }, String.class);
        assertEquals("sent", result);
        assertEquals(5, calls.get());
        // waits 50, 100, 120 (capped), 120 ms
        assertTrue(gaps.get(1) >= 45 && gaps.get(2) >= 95 && gaps.get(3) >= 115 && gaps.get(4) >= 115, gaps.toString());
        assertTrue(gaps.get(4) < 1_000, gaps.toString());
    }

    @Test
    void theGuardAbortsAtOnceOnFencingAndBadData() {
        for (RuntimeException fatal : List.of(new ProducerFencedException("newer writer"),
                new KafkaException("x", new RecordTooLargeException("1 MiB")),
                new org.apache.kafka.common.errors.SerializationException("not a record"))) {
            AtomicInteger calls = new AtomicInteger();
            List<Throwable> retried = new CopyOnWriteArrayList<>();
            Guard guard = KafkaOutage.guard(e -> true, Duration.ofMillis(10), Duration.ofMillis(10), -1, retried::add);
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> guard.call(() -> {
                calls.incrementAndGet();
                throw fatal;
            }, Void.class));
            assertSame(fatal, thrown);
            assertEquals(1, calls.get(), fatal.toString());
            assertTrue(retried.isEmpty());
        }
    }

    @Test
    void theGuardGivesUpAfterItsRetriesAndReportsEachRetriedFailure() {
        AtomicInteger calls = new AtomicInteger();
        List<Throwable> retried = new CopyOnWriteArrayList<>();
        Guard guard = KafkaOutage.guard(KafkaOutage::isTransient, Duration.ofMillis(5), Duration.ofMillis(20), 2,
                retried::add);
        assertThrows(TimeoutException.class, () -> guard.call(() -> {
            calls.incrementAndGet();
            throw new TimeoutException("no ack");
        }, Void.class));
        assertEquals(3, calls.get());
        assertEquals(2, retried.size());
    }
}
