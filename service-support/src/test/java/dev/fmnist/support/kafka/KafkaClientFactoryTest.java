package dev.fmnist.support.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaClientFactoryTest {
    /** A truststore that does not exist: a client that gets the setting fails to build; one that does not, builds. */
    static final String BOGUS_TRUSTSTORE = "/nonexistent/fmnist-truststore.jks";

    static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 500)).build();
    }

    static KafkaClientFactory securedFactory() {
        return new KafkaClientFactory(KafkaClientFactoryProducer.kafkaProperties(config(Map.of(
                "kafka.bootstrap.servers", "localhost:1",
                "kafka.security.protocol", "SSL",
                "kafka.ssl.truststore.location", BOGUS_TRUSTSTORE,
                "kafka.devservices.enabled", "false",
                "quarkus.http.port", "8080"))));
    }

    @Test
    void everyKafkaPropertyIsInTheBaseMapAndNothingElse() {
        Map<String, Object> base = securedFactory().base();
        assertEquals("SSL", base.get("security.protocol"));
        assertEquals(BOGUS_TRUSTSTORE, base.get("ssl.truststore.location"));
        assertEquals("localhost:1", base.get("bootstrap.servers"));
        assertFalse(base.containsKey("devservices.enabled"), "Quarkus' own kafka.devservices.* is not a client setting");
        assertEquals(3, base.size(), base.toString());
    }

    @Test
    void anEnvironmentStyleNameReachesTheClientsLikeQuarkusChannels() {
        Map<String, Object> base = KafkaClientFactoryProducer.kafkaProperties(config(Map.of(
                "kafka.bootstrap.servers", "localhost:1", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")));
        assertEquals("SCRAM-SHA-512", base.get("sasl.mechanism"));
    }

    @Test
    void clientSettingsLayerOnTopAndNullRemovesAKey() {
        KafkaClientFactory f = new KafkaClientFactory(Map.of("bootstrap.servers", "b:1", "group.id", "g",
                "security.protocol", "SASL_SSL"));
        Map<String, Object> c = f.config(new java.util.HashMap<>(Map.of("client.id", "x")) {{
            put("group.id", null);
        }});
        assertEquals("SASL_SSL", c.get("security.protocol"));
        assertEquals("x", c.get("client.id"));
        assertFalse(c.containsKey("group.id"));
    }

    @Test
    void aRealConsumerProducerAndAdminAllTakeTheTruststoreSetting() {
        KafkaClientFactory f = securedFactory();
        assertRefusedForTruststore(() -> f.consumer(Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)));
        assertRefusedForTruststore(() -> f.producer(Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class)));
        assertRefusedForTruststore(() -> f.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "t")));
    }

    @Test
    void withoutTheSettingTheSameClientsBuild() {
        KafkaClientFactory f = KafkaClientFactory.forBootstrap("localhost:1");
        f.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "t")).close(java.time.Duration.ZERO);
        f.consumer(Map.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)).close();
    }

    @Test
    void everyProfileTakesTheConnectionSettings() {
        KafkaClientFactory f = securedFactory();
        assertRefusedForTruststore(() -> f.replayConsumer("replay", Map.of()));
        assertRefusedForTruststore(() -> f.tailConsumer("tail", Map.of()));
        assertRefusedForTruststore(() -> f.committedReader("reader", new org.apache.kafka.common.serialization.StringDeserializer(), Map.of()));
        assertRefusedForTruststore(() -> f.reliableProducer("producer", Map.of()));
        assertRefusedForTruststore(() -> f.transactionalWriter("writer", "tx", Map.of()));
        assertRefusedForTruststore(() -> f.admin("admin"));
    }

    @Test
    void readersSeeOnlyCommittedRecordsAndProducersWaitForEveryReplica() {
        Map<String, Object> reader = KafkaClientFactory.readerSettings("r", Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 7));
        assertEquals("read_committed", reader.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        assertEquals("false", reader.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
        assertEquals("earliest", reader.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
        assertEquals(7, reader.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG));
        assertEquals("all", KafkaClientFactory.RELIABLE_PRODUCER.get(ProducerConfig.ACKS_CONFIG));
        assertEquals("true", KafkaClientFactory.RELIABLE_PRODUCER.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        // the SmallRye channels that name the profiles get the same maps
        KafkaClientFactoryProducer producer = new KafkaClientFactoryProducer();
        assertEquals(KafkaClientFactory.RELIABLE_PRODUCER, producer.reliableProducerChannel());
        assertEquals(KafkaClientFactory.COMMITTED_CONSUMER, producer.committedConsumerChannel());
    }

    /**
     * Asserts that building a client fails because it tried to load the bogus truststore: proof that the
     * setting reached that client (Kafka loads the SSL context when the client is built).
     */
    public static void assertRefusedForTruststore(Supplier<? extends AutoCloseable> client) {
        KafkaException e = assertThrows(KafkaException.class, () -> client.get().close());
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t).append(" <- ");
        }
        assertTrue(chain.toString().contains(BOGUS_TRUSTSTORE), chain.toString());
    }
}
