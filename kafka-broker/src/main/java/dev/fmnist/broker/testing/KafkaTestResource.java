package dev.fmnist.broker.testing;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.contracts.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Gives a Quarkus integration test a real Kafka broker with the pipeline's topics, and sets
 * {@code kafka.bootstrap.servers}. Testcontainers' Kafka where a Docker engine is available, the
 * in-JVM KRaft broker otherwise; {@code -Dfmnist.test.kafka=embedded|container} forces one. The
 * tests are the same either way.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    private AutoCloseable running;
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        String bootstrap;
        if (useContainer()) {
            ContainerBroker container = ContainerBroker.start();
            running = container;
            bootstrap = container.bootstrapServers();
        } else {
            try {
                dataDir = Files.createTempDirectory("fmnist-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(dataDir));
            running = broker;
            bootstrap = broker.bootstrapServers();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Topics.ensure(admin, (short) 1);
        }
        return Map.of("kafka.bootstrap.servers", bootstrap);
    }

    @Override
    public void stop() {
        try {
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

    private static void deleteQuietly(Path dir) {
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
