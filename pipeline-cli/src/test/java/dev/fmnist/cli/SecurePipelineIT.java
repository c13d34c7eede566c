package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.FreePorts;
import dev.fmnist.broker.secure.PipelinePrincipal;
import dev.fmnist.broker.secure.SecureBroker;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on a broker that speaks SASL_SSL only (SCRAM-SHA-512 over TLS, a CA made for the
 * test, {@code PipelineAcls}): the packaged services as processes, as {@code ./fmnist up --secure}
 * runs them, each connecting as its own principal with the least rights it needs. Ingest publishes,
 * the trainer trains and publishes signed snapshots in transactions, inference swaps them in and
 * classifies over REST and over Kafka (for an outside client with the {@code client} principal).
 */
class SecurePipelineIT {
    private static final int TRAIN = 6000;
    private static final int TEST = 1000;
    private static final int EPOCHS = 2;

    @TempDir
    static Path home;

    private static KafkaTestResource kafka;
    private static Path secrets;
    private static Settings settings;
    private static Orchestrator.Result result;
    private static String upOutput;

    @BeforeAll
    static void up() throws Exception {
        kafka = new KafkaTestResource();
        kafka.init(Map.of(KafkaTestResource.PRINCIPAL, PipelinePrincipal.OPERATOR.userName()));
        Map<String, String> broker = kafka.start();
        secrets = Path.of(broker.get(KafkaTestResource.SECRETS_DIR));
        Path repo = Path.of(System.getProperty("fmnist.repo.root", "..")).toAbsolutePath().normalize();
        int[] ports = FreePorts.take(4);
        settings = Settings.fromEnvironment(repo, Map.of())
                .withHome(home)
                .withExternalBootstrap(broker.get("kafka.bootstrap.servers"))
                .withPorts(ports[0], ports[1], ports[2])
                .withConsolePort(ports[3])
                .withDataDir(PipelineIT.dataDir());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        var options = new Orchestrator.Options(true, false, Optional.of(EPOCHS), TRAIN, TEST, false,
                new EnumMap<>(Component.class), Duration.ofMinutes(8), Optional.of(new KafkaSecurity(secrets)));
        Settings started = settings;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> new Supervisor(started).stopAll()));
        try {
            result = new Orchestrator(settings, out).up(options);
        } finally {
            upOutput = captured.toString(StandardCharsets.UTF_8);
            System.out.println(upOutput);
        }
    }

    @AfterAll
    static void down() {
        try {
            if (settings != null) {
                new Supervisor(settings).stopAll();
            }
        } finally {
            if (kafka != null) {
                kafka.stop();
            }
        }
    }

    @Test
    void trainsOnTheSecuredBrokerAndServesTheFinalSnapshotOverRest() {
        assertEquals(EPOCHS, result.epoch(), upOutput);
        assertTrue(result.testAccuracy() > 0.6, "test accuracy " + result.testAccuracy());
        FashionMnistData data = FashionMnistData.load(PipelineIT.dataDir());
        byte[] first = java.util.Arrays.copyOfRange(data.test().images().pixels(), 0, FashionMnist.PIXELS);
        PipelineClient.Answer a = new PipelineClient(settings)
                .post(Component.INFERENCE, "/api/v1/classify", "application/octet-stream", first).orElseThrow();
        assertEquals(200, a.status(), a.raw());
        assertEquals(result.modelVersion(), a.body().path("modelVersion").asLong());
    }

    @Test
    void anOutsideClientClassifiesOverKafkaWithItsOwnPrincipal() throws Exception {
        Map<String, Object> client = config(PipelinePrincipal.CLIENT);
        FashionMnistData data = FashionMnistData.load(PipelineIT.dataDir());
        int[] pixels = new int[FashionMnist.PIXELS];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = Byte.toUnsignedInt(data.test().images().pixels()[p]);
        }
        String id = "secure-" + UUID.randomUUID();
        try (var producer = new KafkaProducer<>(client, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS, id.getBytes(StandardCharsets.UTF_8),
                    ClassificationCodec.encodeRequest(new ClassificationRequest(id, pixels, null, false, null)))).get();
        }
        Map<String, Object> reader = new HashMap<>(client);
        reader.put(ConsumerConfig.GROUP_ID_CONFIG, "fmnist-client-secure-it");
        reader.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Prediction found = null;
        try (var consumer = new KafkaConsumer<>(reader, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PREDICTIONS));
            found = Awaitility.await("a prediction for " + id + " on " + Topics.PREDICTIONS).atMost(Duration.ofSeconds(60))
                    .pollInSameThread().pollInterval(Duration.ofMillis(1)).until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                            Prediction p = ClassificationCodec.decodePrediction(r.value());
                            if (p.id().equals(id)) {
                                return p;
                            }
                        }
                        return null;
                    }, p -> p != null);
        }
        assertEquals(result.modelVersion(), found.modelVersion());
    }

    @Test
    void wrongCredentialsAreRefusedAndTheClientCannotPublishASnapshot() {
        Map<String, Object> wrong = config(PipelinePrincipal.CLIENT);
        wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"trainer\" password=\"not-the-password\";");
        ExecutionException refused = assertThrows(ExecutionException.class, () -> send(wrong, Topics.SNAPSHOTS));
        assertTrue(refused.getCause() instanceof SaslAuthenticationException, refused.toString());

        ExecutionException denied = assertThrows(ExecutionException.class,
                () -> send(config(PipelinePrincipal.CLIENT), Topics.SNAPSHOTS));
        assertTrue(denied.getCause() instanceof TopicAuthorizationException, denied.toString());
    }

    @Test
    void noServiceLogOrCommandLineHoldsAKafkaPassword() throws Exception {
        Properties passwords = new Properties();
        try (var in = Files.newBufferedReader(secrets.resolve("secrets.properties"))) {
            passwords.load(in);
        }
        assertFalse(passwords.isEmpty());
        for (Component c : List.of(Component.INGEST, Component.TRAINER, Component.INFERENCE, Component.CONSOLE)) {
            String log = Files.readString(settings.log(c));
            assertTrue(log.contains("-jar"), c + " log has its command line");
            for (String name : passwords.stringPropertyNames()) {
                assertFalse(log.contains(passwords.getProperty(name)), c + "'s log contains the secret " + name);
            }
        }
    }

    private static Map<String, Object> config(PipelinePrincipal principal) {
        return new HashMap<>(SecureBroker.readClientProperties(secrets, principal));
    }

    private static void send(Map<String, Object> config, String topic) throws Exception {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (var producer = new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, new byte[] {1}, new byte[] {1})).get();
        }
    }

}
