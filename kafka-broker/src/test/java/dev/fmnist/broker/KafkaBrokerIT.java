package dev.fmnist.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerIT {

    @TempDir
    Path data;

    @Test
    void createsTopicsRoundTripsRecordsAndKeepsThemAcrossARestart() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(data))) {
            try (Admin admin = admin(broker)) {
                List<String> created = Topics.ensure(admin, (short) 1);
                assertEquals(Topics.ALL.size(), created.size());
                assertTrue(Topics.ensure(admin, (short) 1).isEmpty(), "second ensure creates nothing");
            }
            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(Topics.TEST, "k" + i, "v" + i)).get();
                }
            }
            assertEquals(10, readAll(broker, Topics.TEST).size());
        }
        // The same data directory, a new broker process: the records are still there.
        try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(data))) {
            try (Admin admin = admin(broker)) {
                assertTrue(admin.listTopics().names().get().containsAll(Set.of(Topics.TRAIN, Topics.SNAPSHOTS)));
            }
            List<ConsumerRecord<String, String>> records = readAll(broker, Topics.TEST);
            assertEquals(10, records.size());
            assertEquals("v9", records.get(9).value());
        }
    }

    /** A deployment made when fmnist.requests had 3 partitions is grown to the declared count, once. */
    @Test
    void growsATopicMadeWithFewerPartitionsToItsDeclaredCount() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(data));
             Admin admin = admin(broker)) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(Topics.REQUESTS, 3, (short) 1)))
                    .all().get();
            assertEquals(Topics.ALL.size() - 1, Topics.ensure(admin, (short) 1).size(), "the others are created");
            assertEquals(List.of(Topics.REQUESTS + ": 3 -> " + Topics.REQUEST_PARTITIONS), Topics.grow(admin));
            // the new partitions reach the brokers' metadata a moment later
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTopics(List.of(Topics.REQUESTS))
                    .allTopicNames().get().get(Topics.REQUESTS).partitions().size() == Topics.REQUEST_PARTITIONS);
            assertEquals(List.of(), Topics.grow(admin), "nothing left to grow");
        }
    }

    private static Admin admin(KafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static List<ConsumerRecord<String, String>> readAll(KafkaBroker broker, String topic) {
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            await("read " + topic + " to offset " + end).atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return consumer.position(tp) >= end;
            });
            return out;
        }
    }
}
