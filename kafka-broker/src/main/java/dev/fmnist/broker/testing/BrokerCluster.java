package dev.fmnist.broker.testing;

import dev.fmnist.broker.ClusterNode;
import dev.fmnist.broker.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * For drills: a KRaft cluster of combined nodes, each a {@link BrokerProcess} ({@code ./fmnist}'s broker,
 * {@code LocalKafkaMain --node-id N --voters ... --cluster-id ...}) with its own ports and data folder
 * ({@code dir/node-N}), all formatted with one cluster id; every node is a voter of the controller quorum.
 * A node can be {@code kill -9}ed, frozen and started again where it was; the topics are created by the
 * nodes with replication factor 3 and {@code min.insync.replicas=2}.
 */
public final class BrokerCluster implements AutoCloseable {
    private final List<BrokerProcess> nodes;

    private BrokerCluster(List<BrokerProcess> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Starts {@code size} node processes on free ports and waits until each is ready (the topics exist then). */
    public static BrokerCluster start(Path dir, int size) {
        int[] ports = FreePorts.take(2 * size);
        int[] controllerPorts = new int[size];
        System.arraycopy(ports, size, controllerPorts, 0, size);
        String voters = ClusterNode.voters("localhost", controllerPorts);
        String clusterId = ClusterNode.newClusterId();
        List<BrokerProcess> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            nodes.add(BrokerProcess.node(dir.resolve("node-" + id), ports[id - 1], new ClusterNode(id, clusterId, voters)));
        }
        BrokerCluster cluster = new BrokerCluster(nodes);
        try {
            nodes.forEach(BrokerProcess::launch);
            // each node is ready only once a quorum runs: wait for all of them together
            CompletableFuture.allOf(nodes.stream().map(n -> CompletableFuture.runAsync(n::awaitReady))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            cluster.close();
            throw e instanceof CompletionException && e.getCause() instanceof RuntimeException r ? r : e;
        }
        return cluster;
    }

    public int size() {
        return nodes.size();
    }

    /** Every node's client address. */
    public String bootstrapServers() {
        return nodes.stream().map(BrokerProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    /** Node {@code id} (1-based). */
    public BrokerProcess node(int id) {
        if (id < 1 || id > nodes.size()) {
            throw new IllegalArgumentException("no node " + id + " (1.." + nodes.size() + ")");
        }
        return nodes.get(id - 1);
    }

    /** SIGKILL of node {@code id}; returns once the process is gone. */
    public void kill(int id) {
        node(id).kill();
    }

    /** Starts node {@code id} again on its ports and data and waits for it to be ready. */
    public void restart(int id) {
        node(id).restart();
    }

    /** An admin client of the cluster (every node's address); the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
    }

    /** The node that leads partition {@code partition} of {@code topic} now, or -1 when none does. */
    public int leaderOf(String topic, int partition) {
        try (Admin admin = admin()) {
            return leaderOf(admin, topic, partition);
        }
    }

    /** {@link #leaderOf(String, int)} with the caller's admin client. */
    public static int leaderOf(Admin admin, String topic, int partition) {
        TopicPartitionInfo p = describe(admin, topic).partitions().get(partition);
        Node leader = p.leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    /** The in-sync replicas of a partition, by node id. */
    public static List<Integer> inSyncReplicas(Admin admin, String topic, int partition) {
        return describe(admin, topic).partitions().get(partition).isr().stream().map(Node::id).toList();
    }

    /** The node coordinating {@code transactionalId}'s transactions (the leader of its transaction state partition). */
    public static int transactionCoordinatorOf(Admin admin, String transactionalId) {
        try {
            return admin.describeTransactions(List.of(transactionalId)).description(transactionalId).get().coordinatorId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe transaction " + transactionalId + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * Makes node {@code node} the leader of a partition (it must hold a replica): puts it first in the replica
     * list, then runs a preferred-leader election, as {@code kafka-reassign-partitions} and
     * {@code kafka-leader-election} would. For drills that need one node to lead two things at once.
     */
    public static void makeLeader(Admin admin, String topic, int partition, int node) throws Exception {
        TopicPartition tp = new TopicPartition(topic, partition);
        List<Integer> replicas = new ArrayList<>(describe(admin, topic).partitions().get(partition).replicas().stream()
                .map(Node::id).toList());
        if (!replicas.remove(Integer.valueOf(node))) {
            throw new IllegalArgumentException("node " + node + " has no replica of " + tp + " (" + replicas + ")");
        }
        replicas.add(0, node);
        admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(replicas)))).all().get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!admin.listPartitionReassignments(Set.of(tp)).reassignments().get().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        try {
            admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions().get().get(tp)
                    .ifPresent(e -> {
                        if (!(e instanceof ElectionNotNeededException)) {
                            throw new IllegalStateException("preferred election of " + tp + " failed: " + e, e);
                        }
                    });
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof ElectionNotNeededException)) {
                throw e;
            }
        }
        while (leaderOf(admin, topic, partition) != node) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + node + " did not become the leader of " + tp);
            }
            Thread.sleep(100);
        }
    }

    private static TopicDescription describe(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        for (BrokerProcess node : nodes) {
            node.close();
        }
    }
}
