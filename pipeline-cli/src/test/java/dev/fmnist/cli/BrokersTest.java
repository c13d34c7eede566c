package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The brokers of a run: the single broker's command line as before, a cluster's ports, voters, id and topics. */
class BrokersTest {
    @TempDir
    Path home;

    Settings settings() {
        return Settings.fromEnvironment(Path.of("."), Map.of()).withHome(home);
    }

    @Test
    void theSingleBrokerKeepsItsPortsDataAndNoTopicSettings() {
        Settings s = settings();
        assertEquals(List.of(Component.KAFKA), Brokers.SINGLE.components());
        assertEquals(List.of("--data", s.kafkaData().toString(), "--port", "9092", "--controller-port", "9093"),
                Brokers.SINGLE.brokerArguments(s, Component.KAFKA));
        assertEquals("localhost:9092", s.bootstrapServers(1));
        assertEquals(Map.of(), Brokers.SINGLE.topicProperties());
    }

    @Test
    void aClusterHasThreeNodesOnEverySecondPortOneIdAndReplicatedTopics() throws Exception {
        Settings s = settings();
        Brokers cluster = Brokers.of(s, 3);
        assertEquals(List.of(Component.KAFKA, Component.KAFKA_2, Component.KAFKA_3), cluster.components());
        assertEquals("localhost:9092,localhost:9094,localhost:9096", s.bootstrapServers(3));
        assertEquals("1@localhost:9093,2@localhost:9095,3@localhost:9097", cluster.voters(s));
        String id = cluster.clusterId().orElseThrow();
        assertEquals(List.of("--data", s.clusterData(2).toString(), "--port", "9094", "--node-id", "2",
                "--voters", "1@localhost:9093,2@localhost:9095,3@localhost:9097", "--cluster-id", id),
                cluster.brokerArguments(s, Component.KAFKA_2));
        assertEquals(Map.of("fmnist.topics.replication-factor", "3", "fmnist.topics.min-insync-replicas", "2"),
                cluster.topicProperties());
        assertEquals(id, Brokers.of(s, 3).clusterId().orElseThrow(), "the data folders' id is kept");
        assertEquals(id, Files.readString(s.clusterHome().resolve("cluster.id")));

        cluster.record(s);
        assertEquals(cluster, Brokers.ofRun(s));
        Brokers.SINGLE.record(s);
        assertFalse(Brokers.ofRun(s).isCluster(), "a single-broker run replaces the record");
    }

    @Test
    void onlyOneOrThreeBrokers() {
        CliException e = assertThrows(CliException.class, () -> Brokers.of(settings(), 2));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("1 (one broker) or 3"), e.getMessage());
    }

    @Test
    void statusCountsThePartitionsEachNodeLeadsAndTheUnderReplicatedOnes() {
        Node n1 = new Node(1, "localhost", 9092);
        Node n2 = new Node(2, "localhost", 9094);
        Node n3 = new Node(3, "localhost", 9096);
        List<Node> all = List.of(n1, n2, n3);
        TopicDescription t = new TopicDescription("fmnist.requests", false, List.of(
                new TopicPartitionInfo(0, n1, all, all),
                new TopicPartitionInfo(1, n1, all, List.of(n1, n3)),
                new TopicPartitionInfo(2, n2, all, List.of(n2)),
                new TopicPartitionInfo(3, null, all, List.of())));
        assertEquals(Map.of(1, new ClusterStatus.Leadership(2, 1), 2, new ClusterStatus.Leadership(1, 1)),
                ClusterStatus.count(List.of(t)));
    }
}
