package dev.fmnist.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * One node's place in a KRaft cluster of combined nodes (each a broker and a controller): its id, the
 * cluster id every node's data folder is formatted with, and the static controller quorum, Kafka's
 * {@code controller.quorum.voters} ({@code 1@localhost:9093,2@localhost:9095,3@localhost:9097}): every
 * node votes, so the cluster keeps a quorum, and serves, with any one node of three down.
 *
 * <p>Replication follows the size: topics (the pipeline's, the transaction state, {@code __consumer_offsets})
 * get {@link #replicationFactor()} replicas, at most 3, and {@link #minInsyncReplicas()} one fewer, so an
 * {@code acks=all} write is on two brokers before it is acknowledged and survives the loss of either.
 *
 * @param voters {@code id@host:port} for every node, comma-separated
 */
public record ClusterNode(int nodeId, String clusterId, String voters) {
    /**
     * Broker settings of every cluster node. No unclean election: a replica that missed acknowledged writes
     * never becomes leader. A follower that stopped fetching leaves the in-sync set after 10 s (default 30 s)
     * even before the controller fences its broker, so an acks=all write does not wait for a dead one long.
     */
    static final Map<String, String> BROKER_SETTINGS = Map.of(
            "unclean.leader.election.enable", "false",
            "replica.lag.time.max.ms", "10000");

    public ClusterNode {
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("a cluster node needs the cluster id");
        }
        Map<Integer, Integer> ports = controllerPorts(voters);
        if (!ports.containsKey(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " is not one of the voters " + voters);
        }
    }

    /** The voters string of nodes 1..n on {@code host}, node i on {@code controllerPorts[i-1]}. */
    public static String voters(String host, int... controllerPorts) {
        List<String> v = new ArrayList<>();
        for (int i = 0; i < controllerPorts.length; i++) {
            v.add((i + 1) + "@" + host + ":" + controllerPorts[i]);
        }
        return String.join(",", v);
    }

    /** A fresh cluster id (Kafka's base64 UUID, as {@code kafka-storage random-uuid} prints). */
    public static String newClusterId() {
        return Uuid.randomUuid().toString();
    }

    /** How many nodes the cluster has. */
    public int size() {
        return controllerPorts(voters).size();
    }

    /** This node's controller port, from the voters. */
    public int controllerPort() {
        return controllerPorts(voters).get(nodeId);
    }

    public short replicationFactor() {
        return (short) Math.min(3, size());
    }

    public int minInsyncReplicas() {
        return Math.max(1, replicationFactor() - 1);
    }

    /** Node id to controller port, in the voters' order. */
    static Map<Integer, Integer> controllerPorts(String voters) {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        if (voters == null || voters.isBlank()) {
            throw new IllegalArgumentException("no voters (id@host:port,...)");
        }
        for (String voter : voters.split(",")) {
            String v = voter.strip();
            int at = v.indexOf('@');
            int colon = v.lastIndexOf(':');
            try {
                if (at < 1 || colon < at + 2) {
                    throw new NumberFormatException();
                }
                int id = Integer.parseInt(v.substring(0, at));
                int port = Integer.parseInt(v.substring(colon + 1));
                if (id < 0 || port < 1 || port > 65535 || ports.put(id, port) != null) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("voter '" + v + "' is not id@host:port (or names a node twice)");
            }
        }
        return ports;
    }
}
