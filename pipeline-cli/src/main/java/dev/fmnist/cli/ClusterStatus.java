package dev.fmnist.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The brokers part of {@code ./fmnist status} for a cluster run: per node its port, whether its process runs,
 * how many partitions it leads and how many of those are under-replicated (fewer in-sync replicas than
 * replicas: Kafka's UnderReplicatedPartitions, counted by the leader), from the cluster's own metadata.
 */
final class ClusterStatus {
    /** What one node leads. */
    record Leadership(int leads, int underReplicated) {
    }

    /** The one-partition topics whose leader a drill picks its victim by. */
    static final List<String> SHOWN = List.of("fmnist.snapshots", "fmnist.train");

    private ClusterStatus() {
    }

    static List<String> lines(Settings settings, Brokers brokers, Supervisor supervisor) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "brokers: %d-node KRaft cluster %s, replication factor %d, min.insync.replicas %d",
                brokers.count(), brokers.clusterId().orElse("?"), brokers.replicationFactor(), brokers.minInsyncReplicas()));
        Optional<Map<Integer, Leadership>> leadership = Optional.empty();
        Map<String, TopicDescription> topics = Map.of();
        String unreachable = "";
        boolean anyUp = brokers.components().stream().anyMatch(c -> supervisor.running(c).isPresent());
        if (anyUp) {
            try {
                topics = describeAll(settings.bootstrapServers(brokers.count()));
                leadership = Optional.of(count(topics.values()));
            } catch (RuntimeException e) {
                unreachable = " (no answer from the cluster: " + e.getMessage() + ")";
            }
        }
        for (Component c : brokers.components()) {
            Optional<ProcessHandle> p = supervisor.running(c);
            String state = p.map(h -> "up, pid " + h.pid())
                    .orElse(supervisor.held(c) ? "down (kill-broker; ./fmnist start-broker " + c.node() + ")" : "down");
            Leadership l = leadership.map(m -> m.getOrDefault(c.node(), new Leadership(0, 0))).orElse(null);
            lines.add(String.format(Locale.ROOT, "  node %d  localhost:%d  %s%s", c.node(), settings.brokerPort(c.node()), state,
                    l == null ? "" : ", leads " + l.leads() + " partitions, " + l.underReplicated() + " under-replicated"));
        }
        for (String name : SHOWN) {
            TopicDescription t = topics.get(name);
            if (t != null) {
                TopicPartitionInfo p = t.partitions().get(0);
                lines.add(String.format(Locale.ROOT, "  %s: leader node %s, in sync %s of replicas %s", name,
                        p.leader() == null || p.leader().isEmpty() ? "none" : Integer.toString(p.leader().id()),
                        p.isr().stream().map(n -> Integer.toString(n.id())).toList(),
                        p.replicas().stream().map(n -> Integer.toString(n.id())).toList()));
            }
        }
        if (!unreachable.isEmpty()) {
            lines.add("  " + unreachable.strip());
        }
        return lines;
    }

    /** Every topic of the cluster (Kafka's own included), described. */
    static Map<String, TopicDescription> describeAll(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 6_000))) {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
            return admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out", e);
        }
    }

    static Map<Integer, Leadership> count(Iterable<TopicDescription> topics) {
        Map<Integer, int[]> counts = new TreeMap<>();
        for (TopicDescription t : topics) {
            for (TopicPartitionInfo p : t.partitions()) {
                if (p.leader() == null || p.leader().isEmpty()) {
                    continue;
                }
                int[] c = counts.computeIfAbsent(p.leader().id(), k -> new int[2]);
                c[0]++;
                if (p.isr().size() < p.replicas().size()) {
                    c[1]++;
                }
            }
        }
        Map<Integer, Leadership> result = new TreeMap<>();
        counts.forEach((node, c) -> result.put(node, new Leadership(c[0], c[1])));
        return result;
    }
}
