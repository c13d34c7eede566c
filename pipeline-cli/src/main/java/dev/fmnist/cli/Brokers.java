package dev.fmnist.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * The brokers of a local run: one (the default, {@link Component#KAFKA} on FMNIST_KAFKA_PORT, data in
 * {@code kafka/}), or a KRaft cluster of {@value Component#MAX_BROKERS} combined nodes ({@code up --brokers 3}):
 * node n on {@link Settings#brokerPort}/{@link Settings#brokerControllerPort} (9092/9093, 9094/9095, 9096/9097),
 * data in {@code kafka-cluster/node-n}, every folder formatted with the cluster id kept in
 * {@code kafka-cluster/cluster.id}, every node a voter of the controller quorum. A cluster's topics get 3 replicas
 * and {@code min.insync.replicas=2}, and every service the three addresses. The run's choice is written to
 * {@link Settings#clusterFile()} for {@code status}, {@code kill-broker} and {@code start-broker}.
 */
record Brokers(int count, Optional<String> clusterId) {
    static final Brokers SINGLE = new Brokers(1, Optional.empty());

    Brokers {
        if (count != 1 && count != Component.MAX_BROKERS) {
            throw new CliException("--brokers " + count + ": 1 (one broker) or " + Component.MAX_BROKERS
                    + " (a cluster that keeps serving with any one broker down)", 2);
        }
        if (count > 1 && clusterId.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs its id");
        }
    }

    /** {@code count} brokers for a run of {@code settings}: a cluster reuses the id its data folders were formatted with. */
    static Brokers of(Settings settings, int count) {
        if (count == 1) {
            return SINGLE;
        }
        Path idFile = settings.clusterHome().resolve("cluster.id");
        try {
            if (!Files.isRegularFile(idFile)) {
                Files.createDirectories(idFile.getParent());
                Files.writeString(idFile, Uuid.randomUuid().toString(), StandardCharsets.UTF_8);
            }
            return new Brokers(count, Optional.of(Files.readString(idFile, StandardCharsets.UTF_8).strip()));
        } catch (IOException e) {
            throw new CliException("cannot keep the cluster id in " + idFile + ": " + e.getMessage());
        }
    }

    /** The brokers of the last {@code up} in this state folder (a single broker when it was not a cluster). */
    static Brokers ofRun(Settings settings) {
        Path file = settings.clusterFile();
        if (!Files.isRegularFile(file)) {
            return SINGLE;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return new Brokers(Integer.parseInt(p.getProperty("brokers", "1")), Optional.ofNullable(p.getProperty("cluster-id")));
        } catch (IOException | RuntimeException e) {
            return SINGLE; // a damaged file: status still works for the single broker
        }
    }

    /** Records this choice for the commands that come later. */
    void record(Settings settings) {
        try {
            if (!isCluster()) {
                Files.deleteIfExists(settings.clusterFile());
                return;
            }
            Files.createDirectories(settings.clusterFile().getParent());
            Properties p = new Properties();
            p.setProperty("brokers", Integer.toString(count));
            p.setProperty("cluster-id", clusterId.get());
            try (Writer w = Files.newBufferedWriter(settings.clusterFile(), StandardCharsets.UTF_8)) {
                p.store(w, "the brokers of ./fmnist up --brokers " + count);
            }
        } catch (IOException e) {
            throw new CliException("cannot write " + settings.clusterFile() + ": " + e.getMessage());
        }
    }

    boolean isCluster() {
        return count > 1;
    }

    /** The broker components, node 1 first. */
    List<Component> components() {
        List<Component> all = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            all.add(Component.broker(n));
        }
        return all;
    }

    short replicationFactor() {
        return (short) count;
    }

    int minInsyncReplicas() {
        return isCluster() ? count - 1 : 1;
    }

    /** What every service is told about the topics it creates when they are missing (TopicsConfig); none for one broker. */
    Map<String, String> topicProperties() {
        return isCluster() ? Map.of("fmnist.topics.replication-factor", Short.toString(replicationFactor()),
                "fmnist.topics.min-insync-replicas", Integer.toString(minInsyncReplicas())) : Map.of();
    }

    /** Kafka's {@code controller.quorum.voters}: every node, on its controller port. */
    String voters(Settings settings) {
        List<String> voters = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            voters.add(n + "@localhost:" + settings.brokerControllerPort(n));
        }
        return String.join(",", voters);
    }

    /** The data folder and the {@code LocalKafkaMain} options of broker {@code c} (plaintext). */
    List<String> brokerArguments(Settings settings, Component c) {
        int n = c.node();
        if (!isCluster()) {
            return List.of("--data", settings.kafkaData().toString(), "--port", Integer.toString(settings.kafkaPort()),
                    "--controller-port", Integer.toString(settings.controllerPort()));
        }
        return List.of("--data", settings.clusterData(n).toString(), "--port", Integer.toString(settings.brokerPort(n)),
                "--node-id", Integer.toString(n), "--voters", voters(settings), "--cluster-id", clusterId.get());
    }
}
