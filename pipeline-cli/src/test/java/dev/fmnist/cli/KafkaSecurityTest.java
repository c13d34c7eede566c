package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.secure.PipelinePrincipal;
import dev.fmnist.broker.secure.SecureBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {
    @TempDir
    Path dir;

    @Test
    void eachComponentReadsItsOwnPrincipalsFileAsTheBrokerNamesIt() {
        KafkaSecurity k = new KafkaSecurity(dir);
        for (Component c : Component.values()) {
            KafkaSecurity.principal(c).ifPresent(user -> {
                PipelinePrincipal p = PipelinePrincipal.of(user);
                assertEquals(dir.resolve(SecureBroker.clientFileName(p)), k.clientFile(user), c.id());
            });
        }
        assertFalse(KafkaSecurity.principal(Component.KAFKA).isPresent());
        assertEquals(dir.resolve(SecureBroker.clientFileName(PipelinePrincipal.CLIENT)), k.clientProperties());
    }

    @Test
    void settingsBecomeKafkaEnvironmentVariablesWithoutTheBootstrap() throws Exception {
        Files.writeString(dir.resolve("trainer.client.properties"), """
                bootstrap.servers=localhost\\:9092
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username\\="trainer" password\\="p";
                ssl.truststore.location=/x/ca.truststore.p12
                """);
        Map<String, String> env = new KafkaSecurity(dir).environment(Component.TRAINER);
        assertEquals("SASL_SSL", env.get("KAFKA_SECURITY_PROTOCOL"));
        assertEquals("SCRAM-SHA-512", env.get("KAFKA_SASL_MECHANISM"));
        assertTrue(env.get("KAFKA_SASL_JAAS_CONFIG").contains("username=\"trainer\""), env.toString());
        assertEquals("/x/ca.truststore.p12", env.get("KAFKA_SSL_TRUSTSTORE_LOCATION"));
        assertFalse(env.containsKey("KAFKA_BOOTSTRAP_SERVERS"));
        CliException missing = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> new KafkaSecurity(dir).environment(Component.INGEST));
        assertTrue(missing.getMessage().contains("ingest.client.properties"), missing.getMessage());
    }
}
