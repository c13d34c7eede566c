package dev.fmnist.inference.it;

import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What these tests do with their {@link KafkaCompanion} (injected by KafkaTestResource), each in one call:
 * raw records out, the first record that matches back. The read assigns partitions (no consumer group).
 */
final class TestRecords {
    /** Long enough for a loaded CI machine; a send or read that takes longer has failed. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TestRecords() {
    }

    /** Sends the records and waits until the broker has acknowledged them all. */
    @SafeVarargs
    static void send(KafkaCompanion kafka, ProducerRecord<byte[], byte[]>... records) {
        kafka.produce(byte[].class, byte[].class).fromRecords(records).awaitCompletion(TIMEOUT);
    }

    /** Reads {@code topic} from the beginning until a record matches; fails after {@code timeout}. */
    static ConsumerRecord<byte[], byte[]> firstMatch(KafkaCompanion kafka, String topic,
                                                     Predicate<ConsumerRecord<byte[], byte[]>> match, Duration timeout) {
        Map<TopicPartition, Long> beginnings = kafka.topics().describe(topic).get(topic).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> 0L));
        return kafka.consume(byte[].class, byte[].class)
                .fromOffsets(beginnings, records -> records.select().where(match).select().first())
                .awaitCompletion(timeout).getFirstRecord();
    }
}
