package dev.fmnist.broker.testing;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.broker.KafkaCluster;
import dev.fmnist.broker.secure.PipelinePrincipal;
import dev.fmnist.broker.secure.SecureBroker;
import dev.fmnist.contracts.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Gives a Quarkus integration test a real Kafka broker with the pipeline's topics, and sets
 * {@code kafka.bootstrap.servers}. Testcontainers' Kafka where a Docker engine is available, the
 * in-JVM KRaft broker otherwise; {@code -Dfmnist.test.kafka=embedded|container} forces one. The
 * tests are the same either way.
 *
 * <p>With the init arg {@code principal} ({@code @WithTestResource(value = KafkaTestResource.class,
 * initArgs = @ResourceArg(name = KafkaTestResource.PRINCIPAL, value = "trainer"))}) it starts the
 * in-JVM {@link SecureBroker} instead (SASL_SSL only, ACLs; Testcontainers is not used then), creates
 * the topics as the operator and returns that principal's {@code kafka.*} settings
 * ({@code kafka.bootstrap.servers}, {@code kafka.security.protocol}, {@code kafka.sasl.*},
 * {@code kafka.ssl.truststore.*}) plus {@value #SECRETS_DIR}, the folder with every principal's
 * client properties ({@link SecureBroker#readClientProperties}). A test field of type
 * {@link SecureBroker} is injected with the running broker.
 *
 * <p>With the init arg {@code brokers} ({@code @ResourceArg(name = KafkaTestResource.BROKERS, value = "3")}) it
 * starts a {@link KafkaCluster} of that many in-JVM nodes (never Testcontainers), creates the topics with
 * replication factor 3 and {@code min.insync.replicas=2}, and returns every node's address and the same
 * {@code fmnist.topics.*} settings for the service. A test field of type {@link KafkaCluster} is injected
 * with it (to stop and start a node; a {@code kill -9} needs the nodes as processes, {@code BrokerCluster}).
 * {@code brokers = "1"} is such a cluster of one node: the broker outage of a Quarkus test (stop node 1, start it
 * again later on the same ports and data).
 *
 * <p>The test's Kafka client: a field of type {@code KafkaCompanion} (SmallRye's, from
 * {@code io.quarkus:quarkus-test-kafka-companion}) is injected with one for this broker, with the
 * principal's client properties in the secured mode; it is closed when the broker stops.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    /** Init arg: the {@link PipelinePrincipal} user name whose settings the service gets; absent means plaintext. */
    public static final String PRINCIPAL = "principal";
    /** Returned in secured mode: the broker's secrets folder. */
    public static final String SECRETS_DIR = "fmnist.test.kafka.secrets-dir";
    /** Init arg: how many in-JVM nodes of a {@link KafkaCluster} (1 too: a broker the test can stop and start); absent means one plain broker. */
    public static final String BROKERS = "brokers";

    private AutoCloseable running;
    private int brokers = 1;
    /** The init arg {@code brokers} was given: a {@link KafkaCluster}, even of one node. */
    private boolean cluster;
    private KafkaCluster nodes;
    private Path dataDir;
    private PipelinePrincipal principal;
    private SecureBroker secured;
    private Map<String, Object> clientProperties;
    private AutoCloseable companion;

    @Override
    public void init(Map<String, String> initArgs) {
        String name = initArgs.get(PRINCIPAL);
        principal = name == null ? null : PipelinePrincipal.of(name);
        String count = initArgs.get(BROKERS);
        if (count != null) {
            brokers = Integer.parseInt(count.strip());
            cluster = true;
            if (brokers < 1 || principal != null) {
                throw new IllegalArgumentException("brokers=" + count + ": at least 1, and a cluster runs plaintext only");
            }
        }
    }

    @Override
    public Map<String, String> start() {
        if (principal != null) {
            return startSecured();
        }
        if (cluster) {
            return startCluster();
        }
        String bootstrap;
        if (useContainer()) {
            ContainerBroker container = ContainerBroker.start();
            running = container;
            bootstrap = container.bootstrapServers();
        } else {
            dataDir = tempDir();
            KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(dataDir));
            running = broker;
            bootstrap = broker.bootstrapServers();
        }
        clientProperties = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(clientProperties)) {
            Topics.ensure(admin, (short) 1);
        }
        return Map.of("kafka.bootstrap.servers", bootstrap);
    }

    private Map<String, String> startCluster() {
        dataDir = tempDir();
        nodes = KafkaCluster.start(dataDir, brokers, Map.of());
        running = nodes;
        clientProperties = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, nodes.bootstrapServers());
        try (Admin admin = Admin.create(clientProperties)) {
            Topics.ensure(admin, nodes.replicationFactor(), nodes.minInsyncReplicas());
        }
        return Map.of("kafka.bootstrap.servers", nodes.bootstrapServers(),
                "fmnist.topics.replication-factor", Short.toString(nodes.replicationFactor()),
                "fmnist.topics.min-insync-replicas", Integer.toString(nodes.minInsyncReplicas()));
    }

    private Map<String, String> startSecured() {
        dataDir = tempDir();
        secured = SecureBroker.ephemeral(dataDir);
        running = secured;
        try (Admin admin = Admin.create(new HashMap<>(secured.clientProperties(PipelinePrincipal.OPERATOR)))) {
            Topics.ensure(admin, (short) 1);
        }
        clientProperties = new HashMap<>(secured.clientProperties(principal));
        Map<String, String> config = new HashMap<>(secured.quarkusProperties(principal));
        config.put(SECRETS_DIR, secured.secretsDir().toString());
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        if (secured != null) {
            testInjector.injectIntoFields(secured, new TestInjector.MatchesType(SecureBroker.class));
        }
        if (nodes != null) {
            testInjector.injectIntoFields(nodes, new TestInjector.MatchesType(KafkaCluster.class));
        }
        if (clientProperties != null && Companion.onClasspath()) {
            if (companion == null) {
                companion = Companion.create(clientProperties);
            }
            testInjector.injectIntoFields(companion, new TestInjector.MatchesType(Companion.type()));
        }
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("fmnist-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (companion != null) {
                companion.close();
            }
            if (running != null) {
                running.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the test broker", e);
        } finally {
            deleteQuietly(dataDir);
        }
    }

    private static boolean useContainer() {
        String forced = System.getProperty("fmnist.test.kafka", "");
        if (forced.equals("embedded")) {
            return false;
        }
        if (forced.equals("container")) {
            return true;
        }
        try {
            Class.forName("org.testcontainers.DockerClientFactory");
        } catch (ClassNotFoundException e) {
            return false;
        }
        return ContainerBroker.dockerAvailable();
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
