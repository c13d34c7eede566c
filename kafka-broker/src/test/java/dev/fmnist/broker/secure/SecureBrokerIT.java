package dev.fmnist.broker.secure;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secured broker with real clients: one broker for the class, each test on its own records. */
class SecureBrokerIT {
    @TempDir
    static Path dir;
    private static SecureBroker broker;

    @BeforeAll
    static void start() {
        broker = SecureBroker.ephemeral(dir);
        try (Admin operator = Admin.create(config(PipelinePrincipal.OPERATOR))) {
            assertEquals(Topics.ALL.size(), Topics.ensure(operator, (short) 1).size(), "the operator creates the topics");
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void trainerPublishesASnapshotThatInferenceReads() throws Exception {
        try (var producer = producer(config(PipelinePrincipal.TRAINER))) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model-a", "v1")).get();
        }
        List<ConsumerRecord<String, String>> read = readAll(config(PipelinePrincipal.INFERENCE), Topics.SNAPSHOTS);
        assertTrue(read.stream().anyMatch(r -> r.key().equals("model-a") && r.value().equals("v1")), "inference reads it");
    }

    @Test
    void inferenceCannotPublishASnapshot() {
        try (var producer = producer(config(PipelinePrincipal.INFERENCE))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model-a", "forged")).get());
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
        assertTrue(readAll(config(PipelinePrincipal.TRAINER), Topics.SNAPSHOTS).stream().noneMatch(r -> r.value().equals("forged")));
    }

    @Test
    void ingestWritesTheDatasetsButCannotReadSnapshots() throws Exception {
        try (var producer = producer(config(PipelinePrincipal.INGEST))) {
            producer.send(new ProducerRecord<>(Topics.TRAIN, "batch-1", "images")).get();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model-a", "x")).get());
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
        assertTrue(readAll(config(PipelinePrincipal.INGEST), Topics.TRAIN).stream().anyMatch(r -> r.key().equals("batch-1")));
        assertTrue(readAll(config(PipelinePrincipal.TRAINER), Topics.TRAIN).stream().anyMatch(r -> r.key().equals("batch-1")));
        assertThrows(TopicAuthorizationException.class, () -> readAll(config(PipelinePrincipal.INGEST), Topics.SNAPSHOTS));
    }

    @Test
    void inferenceRaisesAlertsThatTheConsoleReadsAndNoOneElseWrites() throws Exception {
        try (var producer = producer(config(PipelinePrincipal.INFERENCE))) {
            producer.send(new ProducerRecord<>(Topics.ALERTS, "fmnist-softmax", "drift")).get();
        }
        assertTrue(readAll(config(PipelinePrincipal.CONSOLE), Topics.ALERTS).stream()
                .anyMatch(r -> r.key().equals("fmnist-softmax") && r.value().equals("drift")), "the console reads it");
        for (PipelinePrincipal p : List.of(PipelinePrincipal.CONSOLE, PipelinePrincipal.TRAINER, PipelinePrincipal.INGEST,
                PipelinePrincipal.CLIENT)) {
            // not idempotent: a principal with no WRITE anywhere (the console) would be refused at the producer id
            // (ClusterAuthorizationException, KIP-679) before the topic's ACL is even asked
            Map<String, Object> plain = config(p);
            plain.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            try (var producer = producer(plain)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(Topics.ALERTS, "fmnist-softmax", "forged")).get(), p.name());
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), p.name());
            }
        }
        assertThrows(TopicAuthorizationException.class, () -> readAll(config(PipelinePrincipal.CLIENT), Topics.ALERTS));
        assertTrue(readAll(config(PipelinePrincipal.CONSOLE), Topics.ALERTS).stream().noneMatch(r -> r.value().equals("forged")));
    }

    @Test
    void everyServiceRunsTopicsEnsureOnExistingTopicsWithoutCreateRights() {
        for (PipelinePrincipal service : List.of(PipelinePrincipal.INGEST, PipelinePrincipal.TRAINER, PipelinePrincipal.INFERENCE)) {
            try (Admin admin = Admin.create(config(service))) {
                assertEquals(List.of(), Topics.ensure(admin, (short) 1), service + " sees every topic, creates none");
            }
        }
    }

    @Test
    void inferenceConsumesRequestsInItsGroupOnly() throws Exception {
        try (var producer = producer(config(PipelinePrincipal.CLIENT))) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS, "req-1", "image")).get();
        }
        Map<String, Object> inference = config(PipelinePrincipal.INFERENCE);
        inference.put(ConsumerConfig.GROUP_ID_CONFIG, PipelineAcls.INFERENCE_GROUP);
        subscribeUntil(inference, Topics.REQUESTS, "req-1"); // inference's group reads the request

        Map<String, Object> otherGroup = config(PipelinePrincipal.INFERENCE);
        otherGroup.put(ConsumerConfig.GROUP_ID_CONFIG, "someone-else");
        assertThrows(GroupAuthorizationException.class, () -> subscribeUntil(otherGroup, Topics.REQUESTS, "req-1"));
    }

    @Test
    void trainerTransactionalIdWorksAndNoOneElseMayUseIt() throws Exception {
        Map<String, Object> trainer = config(PipelinePrincipal.TRAINER);
        trainer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, PipelineAcls.TRAINER_TRANSACTIONAL_ID_PREFIX + "model-t");
        try (var producer = producer(trainer)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model-t", "v1-transactional"));
            producer.commitTransaction();
        }
        Map<String, Object> committed = config(PipelinePrincipal.INFERENCE);
        committed.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // The commit markers are written after commitTransaction returns: read until the record is visible.
        await("a read_committed consumer sees the committed snapshot").atMost(Duration.ofSeconds(15)).until(() ->
                readAll(committed, Topics.SNAPSHOTS).stream().anyMatch(r -> r.value().equals("v1-transactional")));

        for (String id : List.of(PipelineAcls.TRAINER_TRANSACTIONAL_ID_PREFIX + "model-t", "fmnist-inference-model-t")) {
            Map<String, Object> inference = config(PipelinePrincipal.INFERENCE);
            inference.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
            try (var producer = producer(inference)) {
                assertThrows(TransactionalIdAuthorizationException.class, producer::initTransactions, id);
            }
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        Map<String, Object> wrong = new HashMap<>(broker.clientProperties("trainer", "not-the-password"));
        try (var producer = producer(wrong)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model-a", "x")).get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
        Map<String, Object> unknown = new HashMap<>(broker.clientProperties("mallory", "guess"));
        try (Admin admin = Admin.create(unknown)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.listTopics().names().get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
    }

    @Test
    void clientsWithoutCredentialsGetNothing() {
        // PLAINTEXT to the TLS port: the broker drops the connection at the TLS handshake, so the
        // client never even learns the topics (it times out; there is no reply to read an error from).
        Map<String, Object> plaintext = new HashMap<>();
        plaintext.put("bootstrap.servers", broker.bootstrapServers());
        assertRefusedWithoutAReply(plaintext, "plaintext");
        // TLS without SASL: the broker wants a SASL handshake first and drops any other request.
        Map<String, Object> tlsOnly = new HashMap<>(broker.clientProperties(PipelinePrincipal.TRAINER));
        tlsOnly.put("security.protocol", "SSL");
        tlsOnly.remove("sasl.mechanism");
        tlsOnly.remove("sasl.jaas.config");
        assertRefusedWithoutAReply(tlsOnly, "tls-only");
        assertTrue(readAll(config(PipelinePrincipal.TRAINER), Topics.SNAPSHOTS).stream()
                .noneMatch(r -> r.value().startsWith("unauthenticated")), "nothing reached the topic");
    }

    private static void assertRefusedWithoutAReply(Map<String, Object> config, String what) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        try (var producer = producer(c)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "model-a", "unauthenticated " + what)).get());
            assertInstanceOf(TimeoutException.class, e.getCause(), what);
        }
    }

    @Test
    void theControllerListenerRefusesAClientWithoutTheBrokersCertificate() {
        // A client that trusts the CA but has no certificate of its own (KIP-919 lets Admin talk to controllers).
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.controllers", broker.controllerServers());
        c.put("security.protocol", "SSL");
        c.put("ssl.truststore.type", "PKCS12");
        c.put("ssl.truststore.location", broker.truststore().toString());
        c.put("ssl.truststore.password", broker.clientProperties(PipelinePrincipal.OPERATOR).get("ssl.truststore.password"));
        c.put("request.timeout.ms", 5_000);
        c.put("default.api.timeout.ms", 10_000);
        try (Admin admin = Admin.create(c)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.describeCluster().clusterId().get());
            assertInstanceOf(SslAuthenticationException.class, e.getCause());
        }
    }

    @Test
    void secretsAreWrittenForTheOwnerOnly() throws Exception {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.secretsDir())));
        for (PipelinePrincipal p : PipelinePrincipal.values()) {
            for (String name : List.of(SecureBroker.clientFileName(p), SecureBroker.quarkusFileName(p))) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.secretsDir().resolve(name))));
            }
            assertEquals(broker.clientProperties(p), SecureBroker.readClientProperties(broker.secretsDir(), p));
        }
        assertEquals("SASL_SSL", broker.quarkusProperties(PipelinePrincipal.TRAINER).get("kafka.security.protocol"));
    }

    private static Map<String, Object> config(PipelinePrincipal principal) {
        return new HashMap<>(broker.clientProperties(principal));
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
    }

    private static List<ConsumerRecord<String, String>> readAll(Map<String, Object> config, String topic) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            await("read " + topic + " to offset " + end).atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return consumer.position(tp) >= end;
            });
            return out;
        }
    }

    /** Reads {@code topic} in the configured group until the record {@code key} comes (or fails after 60 s). */
    private static void subscribeUntil(Map<String, Object> config, String topic, String key) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await("read " + key + " from " + topic).atMost(Duration.ofSeconds(60)).pollInSameThread().until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(key)) {
                        consumer.commitSync();
                        return true;
                    }
                }
                return false;
            });
        }
    }
}
