package dev.fmnist.contracts;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Records that a service could not use go to {@link Topics#DEAD_LETTER} unchanged (same key and
 * value bytes), with these headers saying why and where from; a record too large to copy whole is
 * copied as a prefix (or without value) marked by {@link #TRUNCATED} and {@link #ORIGINAL_SIZE}.
 */
public final class DeadLetters {
    public static final String REASON = "fmnist.dlq.reason";
    public static final String SERVICE = "fmnist.dlq.service";
    public static final String SOURCE_TOPIC = "fmnist.dlq.source-topic";
    public static final String SOURCE_PARTITION = "fmnist.dlq.source-partition";
    public static final String SOURCE_OFFSET = "fmnist.dlq.source-offset";
    /** Size in bytes of the original value when the dead letter carries none or a cut copy. */
    public static final String ORIGINAL_SIZE = "fmnist.dlq.original-size";
    /**
     * Largest value a dead letter carries: a record larger than this (up to the topics' limits) is
     * dead-lettered without its value, with {@link #ORIGINAL_SIZE}, so copying it can never fail on
     * the producer's 1 MiB request limit.
     */
    public static final int MAX_VALUE_BYTES = 512 * 1024;
    /** "true" when the dead letter's value is a truncated prefix of the original (or absent). */
    public static final String TRUNCATED = "fmnist.dlq.truncated";
    /** Header text written for a reason, service or source topic that was not given. */
    public static final String UNKNOWN = "unknown";

    private DeadLetters() {
    }

    /**
     * A dead-letter record for a consumed record; partition and offset may be -1 when unknown, and
     * a null reason, service or source topic is written as "unknown" (dead-lettering must not fail).
     */
    public static ProducerRecord<byte[], byte[]> of(String service, String sourceTopic, int partition, long offset,
                                                   byte[] key, byte[] value, String reason) {
        return new ProducerRecord<>(Topics.DEAD_LETTER, null, key, bounded(value),
                headers(service, sourceTopic, partition, offset, reason, value));
    }

    /** The value a dead letter carries: the original, or null when it exceeds {@link #MAX_VALUE_BYTES}. */
    public static byte[] bounded(byte[] value) {
        return value != null && value.length > MAX_VALUE_BYTES ? null : value;
    }

    /**
     * The headers of a dead-letter record (for producers whose key type is not bytes), with
     * {@link #ORIGINAL_SIZE} when {@link #bounded} drops the value.
     */
    public static java.util.List<Header> headers(String service, String sourceTopic, int partition, long offset,
                                                 String reason, byte[] value) {
        java.util.List<Header> h = new java.util.ArrayList<>(java.util.List.of(header(REASON, reason),
                header(SERVICE, service), header(SOURCE_TOPIC, sourceTopic),
                header(SOURCE_PARTITION, Integer.toString(partition)), header(SOURCE_OFFSET, Long.toString(offset))));
        if (value != null && value.length > MAX_VALUE_BYTES) {
            h.add(header(ORIGINAL_SIZE, Integer.toString(value.length)));
        }
        return h;
    }

    /** The text of a header, or null when absent. */
    public static String header(org.apache.kafka.common.header.Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, (value == null ? UNKNOWN : value).getBytes(StandardCharsets.UTF_8));
    }
}
