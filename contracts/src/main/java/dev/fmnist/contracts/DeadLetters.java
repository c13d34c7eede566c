package dev.fmnist.contracts;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** Longest key a dead letter carries; a longer one is cut (the source coordinates identify the record). */
    public static final int MAX_KEY_BYTES = 1024;
    /** Longest reason a dead letter carries; a longer one is cut and ends in "...". */
    public static final int MAX_REASON_CHARS = 2000;

    /**
     * A dead-letter record for a consumed record; partition and offset may be -1 when unknown, and
     * a null reason, service or source topic is written as "unknown" (dead-lettering must not fail).
     * A value up to {@link #MAX_VALUE_BYTES} is copied whole; a larger one is left out (see
     * {@link #bounded}).
     */
    public static ProducerRecord<byte[], byte[]> of(String service, String sourceTopic, int partition, long offset,
                                                   byte[] key, byte[] value, String reason) {
        int keep = value != null && value.length > MAX_VALUE_BYTES ? 0 : MAX_VALUE_BYTES;
        return bounded(service, sourceTopic, partition, offset, key, value, reason, keep);
    }

    /**
     * The one bounded copy of a record that could not be used, so that its dead letter can always be
     * written: the value whole up to {@code maxValueBytes}, beyond that its first {@code maxValueBytes}
     * bytes (none when 0), marked {@link #TRUNCATED} with {@link #ORIGINAL_SIZE}; the key cut to
     * {@link #MAX_KEY_BYTES}, the reason to {@link #MAX_REASON_CHARS}. The source coordinates are always
     * there.
     *
     * @param maxValueBytes at most {@link #MAX_VALUE_BYTES}
     */
    public static ProducerRecord<byte[], byte[]> bounded(String service, String sourceTopic, int partition, long offset,
                                                        byte[] key, byte[] value, String reason, int maxValueBytes) {
        int limit = Math.min(Math.max(0, maxValueBytes), MAX_VALUE_BYTES);
        String shortReason = reason == null || reason.length() <= MAX_REASON_CHARS ? reason
                : reason.substring(0, MAX_REASON_CHARS) + "...";
        byte[] shortKey = key == null || key.length <= MAX_KEY_BYTES ? key : Arrays.copyOf(key, MAX_KEY_BYTES);
        boolean cut = value != null && value.length > limit;
        byte[] copied = !cut ? value : limit == 0 ? null : Arrays.copyOf(value, limit);
        List<Header> headers = new ArrayList<>(List.of(header(REASON, shortReason), header(SERVICE, service),
                header(SOURCE_TOPIC, sourceTopic), header(SOURCE_PARTITION, Integer.toString(partition)),
                header(SOURCE_OFFSET, Long.toString(offset))));
        if (cut) {
            headers.add(header(TRUNCATED, "true"));
            headers.add(header(ORIGINAL_SIZE, Integer.toString(value.length)));
        }
        return new ProducerRecord<>(Topics.DEAD_LETTER, null, shortKey, copied, headers);
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
