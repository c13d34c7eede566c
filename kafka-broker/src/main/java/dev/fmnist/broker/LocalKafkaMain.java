package dev.fmnist.broker;

import dev.fmnist.broker.secure.PipelinePrincipal;
import dev.fmnist.broker.secure.SecureBroker;
import dev.fmnist.contracts.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The local broker process of {@code ./fmnist up}:
 * {@code java -cp 'kafka-broker/target/lib/*:kafka-broker/target/kafka-broker.jar' dev.fmnist.broker.LocalKafkaMain
 * --data DIR --port 9092 --controller-port 9093 [--secure SECRETS_DIR]}. Creates the pipeline's topics, prints one
 * line "ready bootstrap=host:port" and runs until SIGTERM / Ctrl-C, which shut it down cleanly.
 *
 * <p>With {@code --secure DIR} it runs the {@link SecureBroker} instead (SASL_SSL only, ACLs), keeps
 * its CA, passwords and per-principal client property files in {@code DIR} (0700, files 0600), creates
 * the topics as the operator principal, and its ready line reads
 * "ready bootstrap=host:port security=SASL_SSL secrets=DIR". A data folder formatted by the plaintext
 * broker cannot be reused secured (it exits with a message saying so).
 *
 * <p>With {@code --node-id N --voters 1@localhost:9093,2@localhost:9095,3@localhost:9097 --cluster-id ID} it is
 * node N of a cluster (plaintext only): its controller port is its own in the voters (no
 * {@code --controller-port}), its data folder is formatted with that cluster id (every node with the same), and
 * the topics are created with replication factor 3 and {@code min.insync.replicas=2} once enough brokers have
 * registered; the ready line adds {@code node=N}.
 */
public final class LocalKafkaMain {
    private LocalKafkaMain() {
    }

    public static void main(String[] args) {
        Path data = Path.of("target/kafka-data");
        String host = "localhost";
        int port = 9092;
        int controllerPort = 9093;
        Path secrets = null;
        Integer nodeId = null;
        String voters = null;
        String clusterId = null;
        boolean controllerPortGiven = false;
        ClusterNode node = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--data" -> data = Path.of(args[++i]);
                    case "--host" -> host = args[++i];
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--controller-port" -> {
                        controllerPort = Integer.parseInt(args[++i]);
                        controllerPortGiven = true;
                    }
                    case "--secure" -> secrets = Path.of(args[++i]);
                    case "--node-id" -> nodeId = Integer.parseInt(args[++i]);
                    case "--voters" -> voters = args[++i];
                    case "--cluster-id" -> clusterId = args[++i];
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (nodeId != null || voters != null || clusterId != null) {
                if (nodeId == null || voters == null || clusterId == null) {
                    throw new IllegalArgumentException("a cluster node needs --node-id, --voters and --cluster-id");
                }
                if (secrets != null) {
                    throw new IllegalArgumentException("a cluster node runs plaintext only (no --secure)");
                }
                node = new ClusterNode(nodeId, clusterId, voters);
                if (controllerPortGiven && controllerPort != node.controllerPort()) {
                    throw new IllegalArgumentException("--controller-port " + controllerPort + " is not node " + nodeId
                            + "'s port in --voters " + voters);
                }
                controllerPort = node.controllerPort();
            }
        } catch (RuntimeException e) {
            System.err.println("kafka-broker: " + e.getMessage()
                    + "\nusage: LocalKafkaMain [--data DIR] [--host HOST] [--port 9092] [--controller-port 9093] [--secure SECRETS_DIR]"
                    + "\n       LocalKafkaMain --data DIR [--host HOST] --port PORT --node-id N --voters ID@HOST:PORT,... --cluster-id ID");
            System.exit(2);
        }
        for (int p : List.of(port, controllerPort)) {
            if (!free(p)) {
                System.err.println("kafka-broker: port " + p + " is already in use (another broker running?)");
                System.exit(1);
            }
        }
        if (node != null) {
            runNode(data, host, port, node);
        } else if (secrets == null) {
            runPlaintext(data, host, port, controllerPort);
        } else {
            runSecured(data, secrets, host, port, controllerPort);
        }
    }

    private static void runPlaintext(Path data, String host, int port, int controllerPort) {
        if (SecureBroker.isSecured(data)) {
            System.err.println("kafka-broker: the data folder " + data + " belongs to a secured broker; start it with --secure"
                    + " (a plaintext broker would serve its data to anyone)");
            System.exit(1);
        }
        KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings(data, host, port, controllerPort, Map.of()));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        ensureTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        System.out.println("ready bootstrap=" + broker.bootstrapServers());
        System.out.flush();
        broker.awaitShutdown();
    }

    private static void runNode(Path data, String host, int port, ClusterNode node) {
        if (SecureBroker.isSecured(data)) {
            System.err.println("kafka-broker: the data folder " + data + " belongs to a secured broker");
            System.exit(1);
        }
        KafkaBroker broker;
        try {
            broker = KafkaBroker.start(KafkaBroker.Settings.node(data, host, port, node, Map.of()));
        } catch (IllegalStateException e) {
            System.err.println("kafka-broker: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        ensureClusterTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), node);
        System.out.println("ready bootstrap=" + broker.bootstrapServers() + " node=" + node.nodeId());
        System.out.flush();
        broker.awaitShutdown();
    }

    /**
     * The topics with the cluster's replication: creating one needs as many live brokers as replicas, so while
     * the other nodes are still registering it is tried again (each node tries; the first one creates them).
     */
    private static void ensureClusterTopics(Map<String, Object> adminConfig, ClusterNode node) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                try {
                    List<String> created = Topics.ensure(admin, node.replicationFactor(), node.minInsyncReplicas());
                    System.out.println("topics created (replication factor " + node.replicationFactor() + ", min.insync.replicas "
                            + node.minInsyncReplicas() + "): " + (created.isEmpty() ? "none (all existed)" : String.join(", ", created)));
                    return;
                } catch (IllegalStateException e) {
                    if (!(e.getCause() instanceof RetriableException || e.getCause() instanceof InvalidReplicationFactorException)
                            || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                try {
                    Thread.sleep(500); // the other nodes are registering
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void runSecured(Path data, Path secrets, String host, int port, int controllerPort) {
        SecureBroker broker;
        try {
            broker = SecureBroker.start(data, secrets, host, port, controllerPort);
        } catch (IllegalStateException e) {
            System.err.println("kafka-broker: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        ensureTopics(new HashMap<>(broker.clientProperties(PipelinePrincipal.OPERATOR)));
        System.out.println("client settings: " + broker.secretsDir() + "/<ingest|trainer|inference|console|operator|client>"
                + ".kafka.properties (kafka.* keys) and .client.properties (plain keys); CA: "
                + broker.secretsDir().resolve("ca.crt"));
        System.out.println("ready bootstrap=" + broker.bootstrapServers() + " security=SASL_SSL secrets=" + broker.secretsDir());
        System.out.flush();
        broker.awaitShutdown();
    }

    private static void ensureTopics(Map<String, Object> adminConfig) {
        try (Admin admin = Admin.create(adminConfig)) {
            List<String> created = Topics.ensure(admin, (short) 1);
            System.out.println("topics created: " + (created.isEmpty() ? "none (all existed)" : String.join(", ", created)));
            try {
                List<String> grown = Topics.grow(admin);
                if (!grown.isEmpty()) {
                    System.out.println("topics grown to their declared partitions: " + String.join(", ", grown));
                }
            } catch (IllegalStateException e) {
                // the secured operator may create but not alter topics: a home made before stays as it is
                System.out.println("topics not grown to their declared partitions: " + e.getMessage());
            }
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
