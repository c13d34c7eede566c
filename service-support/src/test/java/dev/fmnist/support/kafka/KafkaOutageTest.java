package dev.fmnist.support.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class KafkaOutageTest {
    @Test
    void whatABrokerOutageProducesIsTransientAlsoWhenWrapped() {
        // the failures ingest's publication met in BrokerOutageIT, as the job sees them
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
}
