package dev.fmnist.trainer.messaging;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.support.kafka.KafkaClientFactory;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** Every client the trainer builds takes the connection settings: security set once reaches all of them. */
class KafkaClientsTest {
    static final String TRUSTSTORE = "/nonexistent/trainer-truststore.jks";

    @Test
    void replayProducerAndAdminClientsAllTakeTheSecuritySettings() {
        KafkaClients clients = new KafkaClients(new KafkaClientFactory(Map.of("bootstrap.servers", "localhost:1",
                "security.protocol", "SSL", "ssl.truststore.location", TRUSTSTORE)), "fmnist-trainer");
        assertTookTruststore(() -> clients.consumer("replay"));
        assertTookTruststore(() -> clients.producer("snapshots"));
        assertTookTruststore(clients::admin);
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
