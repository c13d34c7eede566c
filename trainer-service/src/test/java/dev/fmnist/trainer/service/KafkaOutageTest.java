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

class KafkaOutageTest {
    @Test
    void timeoutsAndLostConnectionsAreTransientAlsoWhenWrapped() {
        assertTrue(KafkaOutage.isTransient(new TimeoutException("Failed to get offsets by times in 30000ms")));
        assertTrue(KafkaOutage.isTransient(new IllegalStateException("snapshot v3 was not committed",
                new TimeoutException("expired"))));
        assertTrue(KafkaOutage.isTransient(new KafkaException("error state", new NetworkException("disconnected"))));
        assertTrue(KafkaOutage.isTransient(new IllegalStateException("snapshot v3 was not committed",
                new java.util.concurrent.TimeoutException("Timeout after waiting for 5000 ms."))));
    }

    @Test
    void fencingAndBadDataAreNotRetried() {
        assertFalse(KafkaOutage.isTransient(new FencedException("taken over", new ProducerFencedException("x"))));
        assertFalse(KafkaOutage.isTransient(new IllegalStateException("the train topic holds no labelled images")));
        assertFalse(KafkaOutage.isTransient(new IllegalArgumentException("bad settings")));
    }

    @Test
    void backoffDoublesUpToThirtySeconds() {
        assertEquals(Duration.ofSeconds(1), KafkaOutage.backoff(1));
        assertEquals(Duration.ofSeconds(2), KafkaOutage.backoff(2));
        assertEquals(Duration.ofSeconds(16), KafkaOutage.backoff(5));
        assertEquals(Duration.ofSeconds(30), KafkaOutage.backoff(6));
        assertEquals(Duration.ofSeconds(30), KafkaOutage.backoff(1_000));
    }
}
