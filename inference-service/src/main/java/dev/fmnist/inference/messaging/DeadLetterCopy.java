package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Builds the dead letter of a consumed record, bounded so that it can always be written: the value
 * is copied whole up to {@code maxValueBytes} and as a prefix beyond (or not at all), the key and the
 * reason are cut to {@link #MAX_KEY_BYTES} / {@link #MAX_REASON_CHARS}. A cut copy says so in its
 * headers, with the original size; the source coordinates are always there.
 */
final class DeadLetterCopy {
    static final int MAX_KEY_BYTES = 1024;
    static final int MAX_REASON_CHARS = 2000;

    private DeadLetterCopy() {
    }

    /** The source of a dead letter: where the record was read. */
    record Source(String topic, int partition, long offset) {
    }

    static ProducerRecord<byte[], byte[]> of(String service, Source source, byte[] key, byte[] value, String reason,
                                             int maxValueBytes) {
        String shortReason = reason == null || reason.length() <= MAX_REASON_CHARS ? reason
                : reason.substring(0, MAX_REASON_CHARS) + "...";
        byte[] shortKey = key == null || key.length <= MAX_KEY_BYTES ? key : Arrays.copyOf(key, MAX_KEY_BYTES);
        boolean cut = value != null && value.length > maxValueBytes;
        byte[] copied = !cut ? value : maxValueBytes <= 0 ? null : Arrays.copyOf(value, maxValueBytes);
        ProducerRecord<byte[], byte[]> r = DeadLetters.of(service, source.topic(), source.partition(), source.offset(),
                shortKey, copied, shortReason);
        if (cut) {
            r.headers().add(new RecordHeader(DeadLetters.TRUNCATED, "true".getBytes(StandardCharsets.UTF_8)));
            r.headers().add(new RecordHeader(DeadLetters.ORIGINAL_SIZE,
                    Integer.toString(value.length).getBytes(StandardCharsets.UTF_8)));
        }
        return r;
    }

    /** The same dead letter without its value: the last resort when even the prefix is refused. */
    static ProducerRecord<byte[], byte[]> withoutValue(String service, Source source, byte[] key, byte[] value,
                                                       String reason) {
        return of(service, source, key, value, reason, 0);
    }
}
