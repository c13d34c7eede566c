package dev.fmnist.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Apache Kafka broker in KRaft combined mode (broker and controller in one
 * node), running in this JVM. Used by the integration tests and, through {@link LocalKafkaMain},
 * as the local broker process of {@code ./fmnist up}. The data directory is formatted on first
 * use and reused afterwards, so a restarted broker keeps its topics.
 */
public final class KafkaBroker implements AutoCloseable {
    private final KafkaRaftServer server;
    private final Settings settings;

    /**
     * @param dataDir        log and metadata directory (created and formatted if needed)
     * @param host           interface to listen on and to advertise
     * @param port           client (PLAINTEXT) port; 0 picks a free one
     * @param controllerPort KRaft controller port; 0 picks a free one
     * @param overrides      extra broker properties
     */
    public record Settings(Path dataDir, String host, int port, int controllerPort, Map<String, String> overrides) {
        public static Settings ephemeral(Path dataDir) {
            return new Settings(dataDir, "localhost", 0, 0, Map.of());
        }
    }

    private KafkaBroker(KafkaRaftServer server, Settings settings) {
        this.server = server;
        this.settings = settings;
    }

    /** Formats the data directory if it is new, starts the broker and waits until it accepts connections. */
    public static KafkaBroker start(Settings requested) {
        int port = requested.port() == 0 ? freePort() : requested.port();
        int controllerPort = requested.controllerPort() == 0 ? freePort() : requested.controllerPort();
        Settings s = new Settings(requested.dataDir().toAbsolutePath(), requested.host(), port, controllerPort,
                requested.overrides());
        try {
            Files.createDirectories(s.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's data directory " + s.dataDir(), e);
        }
        Properties props = properties(s);
        format(s);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        KafkaBroker broker = new KafkaBroker(server, s);
        broker.awaitListening(Duration.ofSeconds(60));
        return broker;
    }

    public String bootstrapServers() {
        return settings.host() + ":" + settings.port();
    }

    public Settings settings() {
        return settings;
    }

    /** Blocks until the broker has shut down (used by the local process). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    static Properties properties(Settings s) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + s.host() + ":" + s.controllerPort());
        p.put("listeners", "PLAINTEXT://" + s.host() + ":" + s.port() + ",CONTROLLER://" + s.host() + ":" + s.controllerPort());
        p.put("advertised.listeners", "PLAINTEXT://" + s.host() + ":" + s.port());
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", s.dataDir().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Services create their topics with the right settings (Topics.ensure); no accidental topics.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("log.cleaner.backoff.ms", "5000");
        p.putAll(s.overrides());
        return p;
    }

    private static void format(Settings s) {
        if (Files.exists(s.dataDir().resolve("meta.properties"))) {
            return; // formatted before: keep its cluster id and data
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(s.dataDir().toString()))
                    .setMetadataLogDirectory(s.dataDir().toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the broker's data directory " + s.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(settings.host(), settings.port()), 500);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", ie);
                }
            }
        }
        throw new IllegalStateException("broker did not listen on " + bootstrapServers() + " within " + timeout);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
