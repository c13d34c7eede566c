package dev.fmnist.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.snapshots.SnapshotTrust;
import dev.fmnist.support.topics.TopicInitializer;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/**
 * The snapshot consumer, the model-control follower and publisher, the dead-letter producer and the
 * topic initializer's admin client take the connection settings (the SmallRye channels read the same
 * kafka.* properties as Quarkus' default-kafka-broker map).
 */
class KafkaClientSettingsTest {
    static final String TRUSTSTORE = "/nonexistent/inference-truststore.jks";
    final KafkaClientFactory kafka = new KafkaClientFactory(Map.of("bootstrap.servers", "localhost:1",
            "security.protocol", "SSL", "ssl.truststore.location", TRUSTSTORE));

    @Test
    void snapshotConsumerDeadLetterProducerAndTopicAdminTakeTheSecuritySettings() {
        assertTookTruststore(() -> kafka.consumer(SnapshotConsumer.consumerSettings()));
        assertTookTruststore(() -> DeadLetterPublisher.producer(kafka));
        assertTookTruststore(() -> kafka.consumer(ModelControlFollower.consumerSettings()));
        assertTookTruststore(() -> ModelControlPublisher.producer(kafka));
        assertTookTruststore(() -> {
            new TopicInitializer(kafka, (short) 1).ensure();
            return () -> { };
        });
    }

    @Test
    void theSnapshotConsumerSeesOnlyCommittedTransactions() {
        // both follow their topic through SnapshotTrust.follow, which lays these settings over theirs
        for (Map<String, Object> own : java.util.List.of(SnapshotConsumer.consumerSettings(),
                ModelControlFollower.consumerSettings())) {
            org.junit.jupiter.api.Assertions.assertEquals("read_committed", SnapshotTrust.followerSettings(own)
                    .get(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        }
    }

    /** Building the client failed because it loaded the bogus truststore: the setting reached it. */
    static void assertTookTruststore(org.junit.jupiter.api.function.ThrowingSupplier<? extends AutoCloseable> client) {
        KafkaException e = assertThrows(KafkaException.class, () -> client.get().close());
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t).append(" <- ");
        }
        assertTrue(chain.toString().contains(TRUSTSTORE), chain.toString());
    }
}
