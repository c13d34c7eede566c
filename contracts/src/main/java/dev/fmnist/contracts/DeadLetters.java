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
    /** Size in bytes of the original value, set when the copy carries less than all of it. */
    public static final String ORIGINAL_SIZE = "fmnist.dlq.original-size";
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
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.DEAD_LETTER, key, value);
        r.headers()
                .add(header(REASON, reason))
                .add(header(SERVICE, service))
                .add(header(SOURCE_TOPIC, sourceTopic))
                .add(header(SOURCE_PARTITION, Integer.toString(partition)))
                .add(header(SOURCE_OFFSET, Long.toString(offset)));
        return r;
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
