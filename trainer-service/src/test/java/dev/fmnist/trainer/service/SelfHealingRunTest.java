package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.trainer.messaging.FencedException;
import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class SelfHealingRunTest {
    @Test
    void timeoutsAndLostConnectionsAreTransientAlsoWhenWrapped() {
        assertTrue(SelfHealingRun.isTransient(new TimeoutException("Failed to get offsets by times in 30000ms")));
        assertTrue(SelfHealingRun.isTransient(new IllegalStateException("snapshot v3 was not committed",
                new TimeoutException("expired"))));
        assertTrue(SelfHealingRun.isTransient(new KafkaException("error state", new NetworkException("disconnected"))));
        assertTrue(SelfHealingRun.isTransient(new IllegalStateException("snapshot v3 was not committed",
                new java.util.concurrent.TimeoutException("Timeout after waiting for 5000 ms."))));
    }

    @Test
    void fencingAndBadDataAreNotRetried() {
        assertFalse(SelfHealingRun.isTransient(new FencedException("taken over", new ProducerFencedException("x"))));
        assertFalse(SelfHealingRun.isTransient(new IllegalStateException("the train topic holds no labelled images")));
        assertFalse(SelfHealingRun.isTransient(new IllegalArgumentException("bad settings")));
    }

    @Test
    void backoffDoublesUpToThirtySeconds() {
        assertEquals(Duration.ofSeconds(1), dev.fmnist.support.kafka.KafkaOutage.backoff(1));
        assertEquals(Duration.ofSeconds(2), dev.fmnist.support.kafka.KafkaOutage.backoff(2));
        assertEquals(Duration.ofSeconds(16), dev.fmnist.support.kafka.KafkaOutage.backoff(5));
        assertEquals(Duration.ofSeconds(30), dev.fmnist.support.kafka.KafkaOutage.backoff(6));
        assertEquals(Duration.ofSeconds(30), dev.fmnist.support.kafka.KafkaOutage.backoff(1_000));
    }
}
