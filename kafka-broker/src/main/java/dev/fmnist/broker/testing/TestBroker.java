package dev.fmnist.broker.testing;

import dev.fmnist.broker.KafkaBroker;
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
 */
public final class TestBroker implements BeforeAllCallback, AfterAllCallback {
    private final boolean pipelineTopics;
    private final Map<String, String> overrides;
    private Path dataDir;
    private KafkaBroker broker;

    private TestBroker(boolean pipelineTopics, Map<String, String> overrides) {
        this.pipelineTopics = pipelineTopics;
        this.overrides = Map.copyOf(overrides);
    }

    /** A broker with the pipeline's topics ({@link Topics#ensure}). */
    public static TestBroker withPipelineTopics() {
        return new TestBroker(true, Map.of());
    }

    /** A broker without topics: the test creates what it needs. */
    public static TestBroker empty() {
        return new TestBroker(false, Map.of());
    }

    /** The same broker with extra broker properties (for example a faster log cleaner). */
    public TestBroker withOverrides(Map<String, String> brokerProperties) {
        return new TestBroker(pipelineTopics, brokerProperties);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        dataDir = KafkaTestResource.tempDir();
        broker = KafkaBroker.start(new KafkaBroker.Settings(dataDir, "localhost", 0, 0, overrides));
        if (pipelineTopics) {
            try (Admin admin = admin()) {
                Topics.ensure(admin, (short) 1);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            KafkaTestResource.deleteQuietly(dataDir);
        }
    }

    public String bootstrapServers() {
        if (broker == null) {
            throw new IllegalStateException("the broker runs only inside the test class (register it as a static field)");
        }
        return broker.bootstrapServers();
    }

    /** An admin client of this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }
}
