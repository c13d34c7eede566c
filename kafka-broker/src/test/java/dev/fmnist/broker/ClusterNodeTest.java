package dev.fmnist.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A node's place in a cluster and the broker settings it gets. */
class ClusterNodeTest {
    static final String VOTERS = "1@localhost:9093,2@localhost:9095,3@localhost:9097";

    @Test
    void threeVotersMeanThreeReplicasTwoInSync() {
        ClusterNode node = new ClusterNode(2, "abc", VOTERS);
        assertEquals(3, node.size());
        assertEquals(9095, node.controllerPort());
        assertEquals(3, node.replicationFactor());
        assertEquals(2, node.minInsyncReplicas());
        assertEquals(VOTERS, ClusterNode.voters("localhost", 9093, 9095, 9097));
        ClusterNode alone = new ClusterNode(1, "abc", "1@localhost:9093");
        assertEquals(1, alone.replicationFactor());
        assertEquals(1, alone.minInsyncReplicas());
    }

    @Test
    void refusesANodeOutsideTheVotersAndBadVoters() {
        assertThrows(IllegalArgumentException.class, () -> new ClusterNode(4, "abc", VOTERS));
        assertThrows(IllegalArgumentException.class, () -> new ClusterNode(1, "", VOTERS));
        assertThrows(IllegalArgumentException.class, () -> new ClusterNode(1, "abc", "1@localhost"));
        assertThrows(IllegalArgumentException.class, () -> new ClusterNode(1, "abc", "1@localhost:9093,1@localhost:9095"));
        assertThrows(IllegalArgumentException.class, () -> new KafkaBroker.Settings(Path.of("x"), "localhost", 9094, 9999,
                Map.of(), null, new ClusterNode(2, "abc", VOTERS)), "a controller port other than the node's in the voters");
    }

    @Test
    void aNodeReplicatesKafkasOwnTopicsAndASingleBrokerStaysAsItWas() {
        Properties node = KafkaBroker.properties(KafkaBroker.Settings.node(Path.of("/tmp/n2"), "localhost", 9094,
                new ClusterNode(2, "abc", VOTERS), Map.of()));
        assertEquals("2", node.get("node.id"));
        assertEquals(VOTERS, node.get("controller.quorum.voters"));
        assertEquals("3", node.get("transaction.state.log.replication.factor"));
        assertEquals("2", node.get("transaction.state.log.min.isr"));
        assertEquals("3", node.get("offsets.topic.replication.factor"));
        assertEquals("2", node.get("min.insync.replicas"));
        assertEquals("3", node.get("default.replication.factor"));
        assertEquals("false", node.get("unclean.leader.election.enable"));
        Properties single = KafkaBroker.properties(new KafkaBroker.Settings(Path.of("/tmp/s"), "localhost", 9092, 9093, Map.of()));
        assertEquals("1", single.get("node.id"));
        assertEquals("1@localhost:9093", single.get("controller.quorum.voters"));
        assertEquals("1", single.get("transaction.state.log.replication.factor"));
        assertEquals(null, single.get("min.insync.replicas"));
    }
}
