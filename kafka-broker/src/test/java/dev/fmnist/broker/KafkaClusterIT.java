package dev.fmnist.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.BrokerCluster;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-JVM nodes ({@link KafkaCluster}): every topic the pipeline uses, and Kafka's own transaction state and
 * consumer offsets, has 3 replicas and min.insync.replicas 2; a transaction commits; with the leader of
 * fmnist.snapshots stopped, another node leads it and acks=all writes go on; the node comes back in sync.
 */
class KafkaClusterIT {
    @TempDir
    Path dir;

    @Test
    void threeNodesReplicateEveryTopicAndServeWithTheSnapshotsLeaderStopped() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir, 3, Map.of());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            assertEquals(3, cluster.replicationFactor());
            assertEquals(2, cluster.minInsyncReplicas());
            assertEquals(3, admin.describeCluster().nodes().get().size(), "three brokers registered");
            assertEquals(Topics.ALL.size(), Topics.ensure(admin, cluster.replicationFactor(), cluster.minInsyncReplicas()).size());

            try (KafkaProducer<byte[], byte[]> tx = producer(cluster, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cluster-it"))) {
                tx.initTransactions();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(Topics.SNAPSHOTS, bytes("v1"), bytes("snapshot 1")));
                tx.commitTransaction();
            }
            try (KafkaConsumer<byte[], byte[]> group = consumer(cluster, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "cluster-it"))) {
                group.subscribe(List.of(Topics.SNAPSHOTS));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (group.assignment().isEmpty() && System.nanoTime() < deadline) {
                    group.poll(Duration.ofMillis(200));
                }
                group.commitSync(); // creates __consumer_offsets
            }

            List<String> replicated = new ArrayList<>(Topics.ALL.stream().map(Topics.Spec::name).toList());
            replicated.addAll(List.of("__transaction_state", "__consumer_offsets"));
            for (TopicDescription d : admin.describeTopics(replicated).allTopicNames().get().values()) {
                d.partitions().forEach(p -> assertEquals(3, p.replicas().size(), d.name() + "-" + p.partition() + " " + p));
            }
            for (String topic : replicated) {
                Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                        .all().get().values().iterator().next();
                assertEquals("2", config.get(Topics.MIN_INSYNC_REPLICAS).value(), topic + " min.insync.replicas");
            }

            int leader = BrokerCluster.leaderOf(admin, Topics.SNAPSHOTS, 0);
            cluster.stop(leader);
            int next = BrokerCluster.leaderOf(admin, Topics.SNAPSHOTS, 0);
            assertNotEquals(leader, next, "another node leads fmnist.snapshots");
            try (KafkaProducer<byte[], byte[]> p = producer(cluster, Map.of())) {
                p.send(new ProducerRecord<>(Topics.SNAPSHOTS, bytes("v2"), bytes("snapshot 2"))).get();
            }
            cluster.start(leader);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (BrokerCluster.inSyncReplicas(admin, Topics.SNAPSHOTS, 0).size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(Set.of(1, 2, 3), Set.copyOf(BrokerCluster.inSyncReplicas(admin, Topics.SNAPSHOTS, 0)),
                    "node " + leader + " back in sync");
            try (KafkaConsumer<byte[], byte[]> c = consumer(cluster, Map.of())) {
                TopicPartition tp = new TopicPartition(Topics.SNAPSHOTS, 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                List<String> values = new ArrayList<>();
                long end = c.endOffsets(List.of(tp)).get(tp);
                while (c.position(tp) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                        values.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                assertEquals(List.of("snapshot 1", "snapshot 2"), values, "committed records only, both there");
            }
        }
    }

    @Test
    void theQuarkusTestResourceStartsAClusterWithBrokersThree() throws Exception {
        KafkaTestResource resource = new KafkaTestResource();
        resource.init(Map.of(KafkaTestResource.BROKERS, "3"));
        try {
            Map<String, String> config = resource.start();
            String bootstrap = config.get("kafka.bootstrap.servers");
            assertEquals(3, bootstrap.split(",").length, bootstrap);
            assertEquals("3", config.get("fmnist.topics.replication-factor"));
            assertEquals("2", config.get("fmnist.topics.min-insync-replicas"));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                TopicDescription snapshots = admin.describeTopics(List.of(Topics.SNAPSHOTS)).allTopicNames().get().get(Topics.SNAPSHOTS);
                assertEquals(3, snapshots.partitions().get(0).replicas().size());
            }
        } finally {
            resource.stop();
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static KafkaProducer<byte[], byte[]> producer(KafkaCluster cluster, Map<String, Object> extra) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<byte[], byte[]> consumer(KafkaCluster cluster, Map<String, Object> extra) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        p.putAll(extra);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
