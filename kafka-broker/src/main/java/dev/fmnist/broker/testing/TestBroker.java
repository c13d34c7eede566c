package dev.fmnist.broker.testing;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.broker.KafkaCluster;
import dev.fmnist.contracts.Topics;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The broker of a plain JUnit 5 integration test (no Quarkus app; those get theirs from
 * {@link KafkaTestResource}): the in-JVM KRaft broker on a temporary folder, started before the
 * class and stopped, folder deleted, after it. Registered as a static field:
 * <pre>{@code @RegisterExtension static final TestBroker broker = TestBroker.withPipelineTopics();}</pre>
 * {@link #cluster(int)} gives the class a cluster of in-JVM nodes instead ({@link KafkaCluster}), its topics
 * replicated.
 */
public final class TestBroker implements BeforeAllCallback, AfterAllCallback {
    private final boolean pipelineTopics;
    private final Map<String, String> overrides;
    private final int nodes;
    private Path dataDir;
    private KafkaBroker broker;
    private KafkaCluster cluster;

    private TestBroker(boolean pipelineTopics, Map<String, String> overrides, int nodes) {
        this.pipelineTopics = pipelineTopics;
        this.overrides = Map.copyOf(overrides);
        this.nodes = nodes;
    }

    /** A broker with the pipeline's topics ({@link Topics#ensure}). */
    public static TestBroker withPipelineTopics() {
        return new TestBroker(true, Map.of(), 1);
    }

    /** A broker without topics: the test creates what it needs. */
    public static TestBroker empty() {
        return new TestBroker(false, Map.of(), 1);
    }

    /**
     * A cluster of {@code nodes} in-JVM nodes with the pipeline's topics, replication factor 3 and
     * {@code min.insync.replicas=2} for three nodes ({@link KafkaCluster}); {@link #cluster()} stops and starts a node.
     */
    public static TestBroker cluster(int nodes) {
        return new TestBroker(true, Map.of(), nodes);
    }

    /** The same broker with extra broker properties (for example a faster log cleaner). */
    public TestBroker withOverrides(Map<String, String> brokerProperties) {
        return new TestBroker(pipelineTopics, brokerProperties, nodes);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        dataDir = KafkaTestResource.tempDir();
        short replicas = 1;
        int minInsync = 1;
        if (nodes > 1) {
            cluster = KafkaCluster.start(dataDir, nodes, overrides);
            replicas = cluster.replicationFactor();
            minInsync = cluster.minInsyncReplicas();
        } else {
            broker = KafkaBroker.start(new KafkaBroker.Settings(dataDir, "localhost", 0, 0, overrides));
        }
        if (pipelineTopics) {
            try (Admin admin = admin()) {
                Topics.ensure(admin, replicas, minInsync);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (broker != null) {
                broker.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            KafkaTestResource.deleteQuietly(dataDir);
        }
    }

    public String bootstrapServers() {
        if (broker == null && cluster == null) {
            throw new IllegalStateException("the broker runs only inside the test class (register it as a static field)");
        }
        return broker != null ? broker.bootstrapServers() : cluster.bootstrapServers();
    }

    /** The running cluster of {@link #cluster(int)}. */
    public KafkaCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("not a cluster (TestBroker.cluster(n)), or not running");
        }
        return cluster;
    }

    /** An admin client of this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }
}
