package dev.fmnist.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A KRaft cluster of {@code size} combined nodes in this JVM (each node a {@link KafkaBroker} with its own
 * ports and data folder, all formatted with one cluster id, every node a voter), for integration tests that
 * need real replication but not a process to kill: a node can be stopped and started again cleanly here; a
 * {@code kill -9} needs the nodes as processes ({@code BrokerCluster}).
 */
public final class KafkaCluster implements AutoCloseable {
    private final List<KafkaBroker.Settings> nodes;
    private final KafkaBroker[] running;

    private KafkaCluster(List<KafkaBroker.Settings> nodes) {
        this.nodes = List.copyOf(nodes);
        this.running = new KafkaBroker[nodes.size()];
    }

    /** Starts {@code size} nodes on free localhost ports, node i's data in {@code dir/node-i}. */
    public static KafkaCluster start(Path dir, int size, Map<String, String> overrides) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster has at least one node, not " + size);
        }
        int[] ports = FreePorts.take(2 * size);
        int[] controllerPorts = IntStream.range(0, size).map(i -> ports[size + i]).toArray();
        String voters = ClusterNode.voters("localhost", controllerPorts);
        String clusterId = ClusterNode.newClusterId();
        List<KafkaBroker.Settings> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            nodes.add(KafkaBroker.Settings.node(dir.resolve("node-" + id), "localhost", ports[id - 1],
                    new ClusterNode(id, clusterId, voters), overrides));
        }
        KafkaCluster cluster = new KafkaCluster(nodes);
        try {
            cluster.startAll();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Every node at once: a node's start-up waits for a controller quorum, which needs the others. */
    private void startAll() {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int id = 1; id <= nodes.size(); id++) {
            int node = id;
            starts.add(CompletableFuture.runAsync(() -> start(node), r -> new Thread(r, "kafka-node-" + node + "-start").start()));
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Starts node {@code id} (1-based) again on its ports and data; the others must form a quorum with it. */
    public void start(int id) {
        KafkaBroker started = KafkaBroker.start(nodes.get(id - 1));
        synchronized (this) {
            running[id - 1] = started;
        }
    }

    /** Stops node {@code id} cleanly (its partitions' leadership moves to the others first). */
    public void stop(int id) {
        KafkaBroker node;
        synchronized (this) {
            node = running[id - 1];
            running[id - 1] = null;
        }
        if (node != null) {
            node.close();
        }
    }

    public int size() {
        return nodes.size();
    }

    /** Every node's client address: a client finds the cluster through any of them that answers. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** The client address of node {@code id}. */
    public String bootstrapServers(int id) {
        KafkaBroker.Settings s = nodes.get(id - 1);
        return s.host() + ":" + s.port();
    }

    public short replicationFactor() {
        return nodes.get(0).cluster().replicationFactor();
    }

    public int minInsyncReplicas() {
        return nodes.get(0).cluster().minInsyncReplicas();
    }

    /**
     * Stops every node at once: a node shuts down only once the controller quorum approves it, so nodes stopped
     * one after the other would leave the last one without a quorum, waiting five minutes for the approval.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int id = 1; id <= nodes.size(); id++) {
            int node = id;
            stops.add(CompletableFuture.runAsync(() -> stop(node), r -> new Thread(r, "kafka-node-" + node + "-stop").start()));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
