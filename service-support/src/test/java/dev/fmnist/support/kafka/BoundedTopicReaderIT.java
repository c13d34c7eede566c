package dev.fmnist.support.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bounded read against a real broker: end offsets, later records, early stop, time limit, incremental reads. */
class BoundedTopicReaderIT {
    private static final String TOPIC = "bounded-read";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    @RegisterExtension
    static final TestBroker broker = TestBroker.empty();
    private static KafkaClientFactory kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaClientFactory.forBootstrap(broker.bootstrapServers());
        try (Admin admin = kafka.admin(Map.of())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        send(0, 10);
    }

    private static void send(int from, int to) throws Exception {
        try (Producer<String, String> p = kafka.producer(Map.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName(), ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(TOPIC, i % 3, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Consumer<String, String> consumer() {
        return consumer(500);
    }

    /** @param maxPollRecords 1 makes every record a poll of its own, so a stop can fall between two */
    private static Consumer<String, String> consumer(int maxPollRecords) {
        return kafka.consumer(Map.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords));
    }

    @Test
    void theProfilesScanSeesACommittedTransactionAndNeverAnAbortedOne() throws Exception {
        String topic = "profile-transactions";
        try (Admin admin = kafka.admin("it-admin")) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (Producer<byte[], byte[]> writer = kafka.transactionalWriter("it-writer", "it-transactions", Map.of())) {
            writer.initTransactions();
            writer.beginTransaction();
            writer.send(new ProducerRecord<>(topic, "aborted".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            writer.abortTransaction();
            writer.beginTransaction();
            writer.send(new ProducerRecord<>(topic, "committed".getBytes(StandardCharsets.UTF_8)));
            writer.commitTransaction();
        }
        List<String> read = new ArrayList<>();
        assertEquals(BoundedTopicReader.Outcome.COMPLETE, kafka.scan("it-scan", Map.of(), topic, TIMEOUT, () -> false,
                r -> read.add(new String(r.value(), StandardCharsets.UTF_8))));
        assertEquals(List.of("committed"), read);
    }

    @Test
    void scanReadsEveryRecordUpToTheEndOffsetsTakenAtTheStart() {
        List<String> keys = new ArrayList<>();
        try (Consumer<String, String> c = consumer()) {
            assertEquals(BoundedTopicReader.Outcome.COMPLETE, BoundedTopicReader.scan(c, TOPIC, TIMEOUT, () -> false,
                    r -> keys.add(r.key())));
        }
        assertEquals(10, keys.size(), keys.toString());
        assertEquals(10, Set.copyOf(keys).size());
    }

    @Test
    void stopEndsTheScanEarly() {
        List<String> keys = new ArrayList<>();
        try (Consumer<String, String> c = consumer(1)) {
            assertEquals(BoundedTopicReader.Outcome.STOPPED, BoundedTopicReader.scan(c, TOPIC, TIMEOUT,
                    () -> !keys.isEmpty(), r -> keys.add(r.key())));
        }
        assertTrue(!keys.isEmpty() && keys.size() < 10, keys.toString());
    }

    @Test
    void aSpentTimeLimitEndsTheScanAsTimedOut() {
        List<String> keys = new ArrayList<>();
        try (Consumer<String, String> c = consumer(1)) {
            // 10 records at 400 ms each (a slow handler: the sleep is the point) cannot be read within 2 s
            assertEquals(BoundedTopicReader.Outcome.TIMED_OUT, BoundedTopicReader.scan(c, TOPIC, Duration.ofSeconds(2),
                    () -> false, r -> {
                        keys.add(r.key());
                        sleep(400);
                    }));
        }
        assertTrue(keys.size() < 10, keys.toString());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anUnknownTopicIsRefused() {
        try (Consumer<String, String> c = consumer()) {
            assertThrows(IllegalStateException.class, () -> BoundedTopicReader.partitions(c, "no-such-topic",
                    Duration.ofSeconds(2)));
        }
    }

    @Test
    void anIncrementalReaderSeesOnlyWhatIsNewAndNothingPastTheEnds() throws Exception {
        try (Consumer<String, String> c = consumer()) {
            List<TopicPartition> partitions = BoundedTopicReader.partitions(c, TOPIC, TIMEOUT);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions, TIMEOUT);
            List<String> first = new ArrayList<>();
            assertEquals(BoundedTopicReader.Outcome.COMPLETE,
                    BoundedTopicReader.readToEnds(c, ends, Duration.ofMillis(200), () -> false, r -> first.add(r.key())));
            long before = first.size();
            send(100, 103);
            List<String> second = new ArrayList<>();
            Map<TopicPartition, Long> later = c.endOffsets(partitions, TIMEOUT);
            assertEquals(BoundedTopicReader.Outcome.COMPLETE,
                    BoundedTopicReader.readToEnds(c, later, Duration.ofMillis(200), () -> false, r -> second.add(r.key())));
            assertTrue(before >= 10, first.toString());
            assertEquals(List.of("k100", "k101", "k102"), second.stream().filter(k -> k.startsWith("k10") && k.length() == 4).sorted().toList());
            assertTrue(c.paused().isEmpty(), "nothing is left paused");
            for (TopicPartition tp : partitions) {
                assertEquals(later.get(tp), c.position(tp));
            }
        }
    }
}
