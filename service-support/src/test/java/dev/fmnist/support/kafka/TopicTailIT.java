package dev.fmnist.support.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tail against a real broker: a topic created after the tail started is waited for quietly (no warning per
 * backoff), then found and read from its beginning; a record its handler throws on is passed over once, not
 * read again and again.
 */
class TopicTailIT {
    @RegisterExtension
    static final TestBroker broker = TestBroker.empty();
    private static KafkaClientFactory kafka;

    @BeforeAll
    static void start() {
        kafka = KafkaClientFactory.forBootstrap(broker.bootstrapServers());
    }

    @Test
    void aTopicCreatedAfterTheTailStartedIsFoundAndReadFromItsBeginning() throws Exception {
        String topic = "created-later";
        List<String> read = new CopyOnWriteArrayList<>();
        TopicTail tail = new TopicTail("late tail", topic, kafka, Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false),
                () -> { }, Duration.ofMillis(200), Duration.ofMillis(200),
                r -> read.add(new String(r.value(), StandardCharsets.UTF_8)));
        List<String> warnings = new CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(TopicTail.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(String.valueOf(r.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        tail.start();
        try {
            Thread.sleep(1_500); // the point of the test: several looks at the missing topic, 200 ms apart
            assertTrue(tail.alive(), "the tail waits for the topic instead of ending");
            assertEquals(List.of(), warnings, "a topic not there yet is waited for quietly");
            try (Admin admin = kafka.admin(Map.of())) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            long last = -1;
            try (Producer<byte[], byte[]> p = kafka.producer(Map.of(
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                for (int i = 0; i < 5; i++) {
                    last = p.send(new ProducerRecord<>(topic, 1, null, ("r" + i).getBytes(StandardCharsets.UTF_8)))
                            .get(30, TimeUnit.SECONDS).offset();
                }
            }
            assertTrue(tail.awaitRead(new TopicPartition(topic, 1), last, Duration.ofSeconds(30)),
                    "the records on the new topic were read: " + read);
            assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), read);
        } finally {
            tail.stop();
            log.removeHandler(capture);
        }
    }

    @Test
    void aRecordTheHandlerThrowsOnIsPassedOverOnce() throws Exception {
        String topic = "poison";
        try (Admin admin = kafka.admin(Map.of())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        long last = -1;
        try (Producer<byte[], byte[]> p = kafka.producer(Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (String v : List.of("a", "poison", "b")) {
                last = p.send(new ProducerRecord<>(topic, 0, null, v.getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS).offset();
            }
        }
        List<String> seen = new CopyOnWriteArrayList<>();
        TopicTail tail = new TopicTail("poison tail", topic, kafka, Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class),
                () -> { }, Duration.ofMillis(200), Duration.ofMillis(200), r -> {
                    String v = new String(r.value(), StandardCharsets.UTF_8);
                    seen.add(v);
                    if (v.equals("poison")) {
                        throw new IllegalStateException("a handler bug");
                    }
                });
        tail.start();
        try {
            assertTrue(tail.awaitRead(new TopicPartition(topic, 0), last, Duration.ofSeconds(30)), "read: " + seen);
            Thread.sleep(1_000); // the point of the test: time for a reconnection that would read the record again
            assertEquals(List.of("a", "poison", "b"), seen);
            assertTrue(tail.alive());
        } finally {
            tail.stop();
        }
    }
}
