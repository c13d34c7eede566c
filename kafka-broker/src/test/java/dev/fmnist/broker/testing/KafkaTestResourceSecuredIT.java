package dev.fmnist.broker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.secure.PipelinePrincipal;
import dev.fmnist.broker.secure.SecureBroker;
import dev.fmnist.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The secured variant of the Quarkus test resource, driven the way Quarkus drives it (init, start, stop). */
class KafkaTestResourceSecuredIT {
    /** A test class's field, as Quarkus injects it. */
    KafkaCompanion kafka;

    @Test
    void givesTheServiceItsPrincipalsKafkaSettingsOnASecuredBrokerWithTheTopics() throws Exception {
        KafkaTestResource resource = new KafkaTestResource();
        resource.init(Map.of(KafkaTestResource.PRINCIPAL, "inference"));
        Map<String, String> config = resource.start();
        Path secrets = Path.of(config.get(KafkaTestResource.SECRETS_DIR));
        try {
            assertEquals("SASL_SSL", config.get("kafka.security.protocol"));
            assertEquals("SCRAM-SHA-512", config.get("kafka.sasl.mechanism"));
            assertTrue(config.get("kafka.sasl.jaas.config").contains("username=\"inference\""));
            Map<String, Object> client = new HashMap<>();
            config.forEach((k, v) -> {
                if (k.startsWith("kafka.")) {
                    client.put(k.substring("kafka.".length()), v);
                }
            });
            try (Admin admin = Admin.create(client)) {
                assertTrue(admin.listTopics().names().get().containsAll(Topics.ALL.stream().map(Topics.Spec::name).toList()),
                        "the topics exist and inference may see them");
            }
            try (var producer = new KafkaProducer<>(client, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.PREDICTIONS, "req", "prediction")).get();
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model", "forged")).get());
                assertInstanceOf(TopicAuthorizationException.class, e.getCause());
            }
            Map<String, String> trainer = SecureBroker.readClientProperties(secrets, PipelinePrincipal.TRAINER);
            try (var producer = new KafkaProducer<>(new HashMap<String, Object>(trainer), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model", "v1")).get();
            }
            // the injected test client speaks SASL_SSL as the principal, with its rights and no more
            resource.inject((value, field) -> {
                for (Field f : KafkaTestResourceSecuredIT.class.getDeclaredFields()) {
                    if (field.test(f)) {
                        kafka = (KafkaCompanion) value;
                    }
                }
            });
            assertEquals(1, kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.PREDICTIONS, "req-2", "p"))
                    .awaitCompletion().count());
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.SNAPSHOTS, "model", "forged"))
                    .awaitCompletion((failure, cancelled) -> assertInstanceOf(TopicAuthorizationException.class, failure));
        } finally {
            resource.stop();
        }
        assertFalse(Files.exists(secrets), "stop deletes the broker's data and secrets");
    }

    @Test
    void anUnknownPrincipalIsAClearError() {
        KafkaTestResource resource = new KafkaTestResource();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resource.init(Map.of(KafkaTestResource.PRINCIPAL, "trainr")));
        assertTrue(e.getMessage().contains("'trainr'"), e.getMessage());
        for (PipelinePrincipal p : PipelinePrincipal.values()) {
            assertTrue(e.getMessage().contains(p.userName()), "the message lists " + p.userName() + ": " + e.getMessage());
        }
    }
}
