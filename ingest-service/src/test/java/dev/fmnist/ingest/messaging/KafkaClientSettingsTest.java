package dev.fmnist.ingest.messaging;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.support.kafka.KafkaClientFactory;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** The upload/publication producer, the admin client and the published-batch reader take the connection settings. */
class KafkaClientSettingsTest {
    static final String TRUSTSTORE = "/nonexistent/ingest-truststore.jks";
    final KafkaClientFactory kafka = new KafkaClientFactory(Map.of("bootstrap.servers", "localhost:1",
            "security.protocol", "SSL", "ssl.truststore.location", TRUSTSTORE));

    @Test
    void producerAdminAndReaderTakeTheSecuritySettings() {
        KafkaClients clients = new KafkaClients();
        assertTookTruststore(() -> ProducerSettings.defaults().producer(kafka, "fmnist-ingest"));
        assertTookTruststore(() -> clients.admin(kafka));
        assertTookTruststore(() -> PublishedBatchReader.consumer(kafka));
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
