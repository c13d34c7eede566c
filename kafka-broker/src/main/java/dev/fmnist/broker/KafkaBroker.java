package dev.fmnist.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * A real Apache Kafka broker in KRaft combined mode (broker and controller in one node), running in
 * this JVM. Used by the integration tests and, through {@link LocalKafkaMain}, as the local broker
 * process of {@code ./fmnist up}. The data directory is formatted on first use and reused afterwards,
 * so a restarted broker keeps its topics. Alone it is a cluster of one; with a {@link ClusterNode} it
 * is one node of a cluster whose controller quorum is every node ({@link KafkaCluster} runs such a
 * cluster in this JVM, {@code BrokerCluster} as processes).
 */
public final class KafkaBroker implements AutoCloseable {
    /** The log cleaner's key buffer: 16 MB holds over 600,000 keys, far more than the compacted topics have. */
    private static final int DEDUPE_BUFFER_BYTES = 16 << 20;
    private final KafkaRaftServer server;
    private final Settings settings;

    /**
     * @param dataDir        log and metadata directory (created and formatted if needed)
     * @param host           interface to listen on and to advertise
     * @param port           client (PLAINTEXT) port; 0 picks a free one
     * @param controllerPort KRaft controller port; 0 picks a free one
     * @param overrides      extra broker properties
     * @param security       null for the plaintext broker; otherwise the secured mode's files and users
     * @param cluster        null for a single node; otherwise this node's place in a cluster (plaintext only)
     */
    public record Settings(Path dataDir, String host, int port, int controllerPort, Map<String, String> overrides,
            Security security, ClusterNode cluster) {
        public Settings {
            if (cluster != null && security != null) {
                throw new IllegalArgumentException("a cluster node runs plaintext only");
            }
            if (cluster != null && controllerPort != cluster.controllerPort()) {
                throw new IllegalArgumentException("node " + cluster.nodeId() + ": controller port " + controllerPort
                        + " is not its port in the voters " + cluster.voters());
            }
        }

        /** A single node, plaintext or secured. */
        public Settings(Path dataDir, String host, int port, int controllerPort, Map<String, String> overrides,
                Security security) {
            this(dataDir, host, port, controllerPort, overrides, security, null);
        }

        /** A plaintext broker (no authentication, no ACLs): the tests' and {@code ./fmnist up}'s default. */
        public Settings(Path dataDir, String host, int port, int controllerPort, Map<String, String> overrides) {
            this(dataDir, host, port, controllerPort, overrides, null, null);
        }

        /** A plaintext node of a cluster, on its controller port in {@code cluster}'s voters. */
        public static Settings node(Path dataDir, String host, int port, ClusterNode cluster, Map<String, String> overrides) {
            return new Settings(dataDir, host, port, cluster.controllerPort(), overrides, null, cluster);
        }

        public static Settings ephemeral(Path dataDir) {
            return new Settings(dataDir, "localhost", 0, 0, Map.of());
        }
    }

    /**
     * The secured mode: the client listener speaks only SASL_SSL with SCRAM-SHA-512, the controller
     * listener only TLS with a client certificate signed by the same CA (so only this broker reaches
     * it), and the {@code StandardAuthorizer} denies what no ACL allows. The SCRAM users are written
     * into the metadata when the data directory is formatted, so they exist before any client
     * connects. {@code superUser} is the broker's own principal: its SCRAM user on the client
     * listener and the CN of its certificate on the controller listener.
     *
     * @param scramUsers user name to password, including {@code superUser}
     */
    public record Security(Path keystore, String keystorePassword, Path truststore, String truststorePassword,
            String superUser, Map<String, String> scramUsers) {
        private static final String SAFE = "[A-Za-z0-9_-]+";

        public Security {
            scramUsers = Map.copyOf(scramUsers);
            if (!scramUsers.containsKey(superUser)) {
                throw new IllegalArgumentException("the super user " + superUser + " needs a SCRAM password");
            }
            // The names and passwords end up in JAAS and --add-scram strings, which have no escaping.
            scramUsers.forEach((user, password) -> {
                if (!user.matches(SAFE) || !password.matches(SAFE)) {
                    throw new IllegalArgumentException("SCRAM user names and passwords may use only " + SAFE + " (user '" + user + "')");
                }
            });
        }

        /** The JAAS line of a SCRAM client. */
        public static String jaasConfig(String user, String password) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                    + "\" password=\"" + password + "\";";
        }
    }

    private KafkaBroker(KafkaRaftServer server, Settings settings) {
        this.server = server;
        this.settings = settings;
    }

    /** Formats the data directory if it is new, starts the broker and waits until it accepts connections. */
    public static KafkaBroker start(Settings requested) {
        int port = requested.port();
        int controllerPort = requested.controllerPort();
        if (port == 0 || controllerPort == 0) {
            int[] free = FreePorts.take(2); // distinct, and one of them differs from a requested port
            port = port == 0 ? free[0] : port;
            controllerPort = controllerPort != 0 ? controllerPort : free[1] != port ? free[1] : free[0];
        }
        Settings s = new Settings(requested.dataDir().toAbsolutePath(), requested.host(), port, controllerPort,
                requested.overrides(), requested.security(), requested.cluster());
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

    /** This node's id: 1 alone, its own in a cluster. */
    public int nodeId() {
        return settings.cluster() == null ? 1 : settings.cluster().nodeId();
    }

    static Properties properties(Settings s) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(s.cluster() == null ? 1 : s.cluster().nodeId()));
        p.put("controller.quorum.voters", s.cluster() == null ? "1@" + s.host() + ":" + s.controllerPort()
                : s.cluster().voters());
        p.put("controller.listener.names", "CONTROLLER");
        if (s.security() == null) {
            p.put("listeners", "PLAINTEXT://" + s.host() + ":" + s.port() + ",CONTROLLER://" + s.host() + ":" + s.controllerPort());
            p.put("advertised.listeners", "PLAINTEXT://" + s.host() + ":" + s.port());
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            p.putAll(secured(s));
        }
        p.put("log.dirs", s.dataDir().toString());
        String replicas = Integer.toString(s.cluster() == null ? 1 : s.cluster().replicationFactor());
        String minIsr = Integer.toString(s.cluster() == null ? 1 : s.cluster().minInsyncReplicas());
        p.put("offsets.topic.replication.factor", replicas);
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", replicas);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", replicas);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        if (s.cluster() != null) {
            p.putAll(ClusterNode.BROKER_SETTINGS);
            // the default of every topic without its own, __consumer_offsets among them (its creator sets none)
            p.put("default.replication.factor", replicas);
            p.put("min.insync.replicas", minIsr);
        }
        p.put("group.initial.rebalance.delay.ms", "0");
        // Services create their topics with the right settings (Topics.ensure); no accidental topics.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("log.cleaner.backoff.ms", "5000");
        // The compacted topics (snapshots, model control, offsets) hold a few MB: the cleaner's default
        // 128 MB key buffer, allocated on the heap when it starts, would be most of the broker's memory.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(DEDUPE_BUFFER_BYTES));
        p.putAll(s.overrides());
        return p;
    }

    private static Map<String, String> secured(Settings s) {
        Security sec = s.security();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", "CLIENT://" + s.host() + ":" + s.port() + ",CONTROLLER://" + s.host() + ":" + s.controllerPort());
        p.put("advertised.listeners", "CLIENT://" + s.host() + ":" + s.port());
        p.put("listener.security.protocol.map", "CLIENT:SASL_SSL,CONTROLLER:SSL");
        p.put("inter.broker.listener.name", "CLIENT");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        p.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                Security.jaasConfig(sec.superUser(), sec.scramUsers().get(sec.superUser())));
        // One keystore for both listeners and for the broker's own connections to its controller.
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", sec.keystore().toString());
        p.put("ssl.keystore.password", sec.keystorePassword());
        p.put("ssl.key.password", sec.keystorePassword());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", sec.truststore().toString());
        p.put("ssl.truststore.password", sec.truststorePassword());
        p.put("ssl.endpoint.identification.algorithm", "https");
        // The controller listener wants a certificate from our CA: only a holder of the broker's key gets in.
        p.put("listener.name.controller.ssl.client.auth", "required");
        // Certificate CN=<name> is principal User:<name> (SASL principals are the SCRAM user names).
        p.put("ssl.principal.mapping.rules", "RULE:^CN=([A-Za-z0-9_-]+)$/$1/,DEFAULT");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + sec.superUser());
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** {@code kafka-storage format --add-scram} arguments: the users exist from the first metadata record on. */
    private static List<String> scramArguments(Security sec) {
        return sec.scramUsers().entrySet().stream()
                .map(e -> "SCRAM-SHA-512=[name=" + e.getKey() + ",password=" + e.getValue() + "]")
                .sorted()
                .toList();
    }

    /** Whether {@code dataDir} holds a formatted broker (its cluster id, metadata and SCRAM users). */
    public static boolean isFormatted(Path dataDir) {
        return Files.exists(dataDir.resolve("meta.properties"));
    }

    /** The cluster id a formatted data folder belongs to. */
    public static String clusterIdOf(Path dataDir) {
        Properties meta = new Properties();
        try (var in = Files.newInputStream(dataDir.resolve("meta.properties"))) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataDir.resolve("meta.properties"), e);
        }
        return meta.getProperty("cluster.id", "");
    }

    private static void format(Settings s) {
        if (isFormatted(s.dataDir())) {
            if (s.cluster() != null && !s.cluster().clusterId().equals(clusterIdOf(s.dataDir()))) {
                throw new IllegalStateException("the data folder " + s.dataDir() + " belongs to cluster "
                        + clusterIdOf(s.dataDir()) + ", not " + s.cluster().clusterId());
            }
            return; // formatted before: keep its cluster id and data
        }
        try {
            Formatter formatter = new Formatter();
            if (s.security() != null) {
                formatter.setScramArguments(scramArguments(s.security()));
            }
            formatter
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(s.cluster() == null ? 1 : s.cluster().nodeId())
                    .setClusterId(s.cluster() == null ? Uuid.randomUuid().toString() : s.cluster().clusterId())
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
}
