package dev.fmnist.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.FreePorts;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.support.TestConfig;
import dev.fmnist.inference.support.TestSigning;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.snapshots.SnapshotTrust;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.awaitility.Awaitility;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * An alert raised while the broker is away is not lost when the producer gives its send up: it is sent again under
 * KafkaOutage's policy until the broker takes it (written after an outage: {@code PromotionOutageDrillIT}), and only
 * a shutdown ends the wait. No broker here: a port nothing listens on, and a producer that gives a send up after
 * 200 ms instead of 60 s.
 */
class AlertPublisherTest {
    @Test
    void anAlertTheBrokerDoesNotTakeIsSentAgainInsteadOfBeingLost() throws Exception {
        Logger log = Logger.getLogger(AlertPublisher.class.getName());
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r instanceof ExtLogRecord e ? e.getFormattedMessage() : r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        AlertPublisher alerts = new AlertPublisher(KafkaClientFactory.forBootstrap("127.0.0.1:" + FreePorts.take()),
                new TestConfig(10), new InferenceMetrics(new SimpleMeterRegistry()),
                SnapshotTrust.of(null, SnapshotSigning.signer(TestSigning.CONTROL_KEY, null), false),
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 200, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 100,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 200, ProducerConfig.LINGER_MS_CONFIG, 0));
        try {
            CompletableFuture<Void> sent = alerts.raise(Alert.Kind.DRIFT, "fmnist-softmax", Map.of("live", 1L),
                    "input drift", Map.of());
            // tries at 0, 1.2 and 3.4 s (waits of 1 s, then 2 s): each given up by the producer after 200 ms
            Awaitility.await("sent again").atMost(Duration.ofSeconds(10))
                    .until(() -> lines.stream().filter(l -> l.startsWith("an alert waits for fmnist.alerts")).count() >= 2);
            assertFalse(sent.isDone(), "still waiting for the broker, not lost: " + lines);
            assertTrue(lines.stream().noneMatch(l -> l.contains("lost")), lines.toString());

            alerts.close();
            assertTrue(sent.isCompletedExceptionally(), "a shutdown ends the wait");
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("alert drift of fmnist-softmax lost")), lines.toString());
        } finally {
            log.removeHandler(capture);
            alerts.close();
        }
    }
}
