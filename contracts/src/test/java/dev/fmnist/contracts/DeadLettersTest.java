package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    @Test
    void keepsKeyAndValueAndAddsReadableHeaders() {
        byte[] key = "batch-7".getBytes(StandardCharsets.UTF_8);
        byte[] value = {1, 2, 3};
        ProducerRecord<byte[], byte[]> r = DeadLetters.of("trainer", Topics.TRAIN, 0, 1234L, key, value,
                "image batch: checksum mismatch (stored 0x00000000, computed 0x1234ABCD) – ü");
        assertEquals(Topics.DEAD_LETTER, r.topic());
        assertNull(r.partition());
        assertArrayEquals(key, r.key());
        assertArrayEquals(value, r.value());
        assertEquals("image batch: checksum mismatch (stored 0x00000000, computed 0x1234ABCD) – ü",
                DeadLetters.header(r.headers(), DeadLetters.REASON));
        assertEquals("trainer", DeadLetters.header(r.headers(), DeadLetters.SERVICE));
        assertEquals(Topics.TRAIN, DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC));
        assertEquals("0", DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION));
        assertEquals("1234", DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET));
        assertEquals(5, r.headers().toArray().length);
    }

    @Test
    void unknownPositionAndMissingTextAreStillWritten() {
        ProducerRecord<byte[], byte[]> r = DeadLetters.of(null, null, -1, -1L, null, null, null);
        assertEquals(DeadLetters.UNKNOWN, DeadLetters.header(r.headers(), DeadLetters.REASON));
        assertEquals(DeadLetters.UNKNOWN, DeadLetters.header(r.headers(), DeadLetters.SERVICE));
        assertEquals(DeadLetters.UNKNOWN, DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC));
        assertEquals("-1", DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION));
        assertEquals("-1", DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET));
        assertNull(r.key());
        assertNull(r.value());
    }

    @Test
    void aSmallRecordIsCopiedWholeWithItsCoordinates() {
        var r = DeadLetters.bounded("svc", Topics.REQUESTS, 2, 41, "k".getBytes(), "v".getBytes(), "bad", 100);
        assertArrayEquals("v".getBytes(), r.value());
        assertEquals("bad", DeadLetters.header(r.headers(), DeadLetters.REASON));
        assertEquals("2", DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION));
        assertEquals("41", DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET));
        assertNull(DeadLetters.header(r.headers(), DeadLetters.TRUNCATED));
    }

    @Test
    void aLargeRecordIsCutToAPrefixAndSaysSo() {
        byte[] value = new byte[2_000_000];
        Arrays.fill(value, (byte) 'x');
        byte[] key = new byte[5000];
        String reason = "r".repeat(10_000);
        var r = DeadLetters.bounded("svc", Topics.REQUESTS, 2, 41, key, value, reason, 1000);
        assertEquals(1000, r.value().length);
        assertEquals(DeadLetters.MAX_KEY_BYTES, r.key().length);
        assertTrue(DeadLetters.header(r.headers(), DeadLetters.REASON).length() <= DeadLetters.MAX_REASON_CHARS + 3);
        assertEquals("true", DeadLetters.header(r.headers(), DeadLetters.TRUNCATED));
        assertEquals("2000000", DeadLetters.header(r.headers(), DeadLetters.ORIGINAL_SIZE));
        var bare = DeadLetters.bounded("svc", Topics.REQUESTS, 2, 41, key, value, reason, 0);
        assertNull(bare.value());
        assertEquals("2000000", DeadLetters.header(bare.headers(), DeadLetters.ORIGINAL_SIZE));
    }

    @Test
    void ofLeavesOutAValueBeyondTheLimitAndKeepsItsSize() {
        byte[] value = new byte[DeadLetters.MAX_VALUE_BYTES + 1];
        var r = DeadLetters.of("ingest", Topics.UPLOADS, 0, 7L, null, value, "too_large");
        assertNull(r.value());
        assertEquals(Integer.toString(value.length), DeadLetters.header(r.headers(), DeadLetters.ORIGINAL_SIZE));
        byte[] fits = new byte[DeadLetters.MAX_VALUE_BYTES];
        assertArrayEquals(fits, DeadLetters.of("ingest", Topics.UPLOADS, 0, 8L, null, fits, "bad").value());
    }

    @Test
    void headerReadsTheLastValueOrNull() {
        RecordHeaders headers = new RecordHeaders();
        assertNull(DeadLetters.header(headers, DeadLetters.REASON));
        headers.add(DeadLetters.REASON, "first".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.REASON, "second".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.SERVICE, null);
        assertEquals("second", DeadLetters.header(headers, DeadLetters.REASON));
        assertNull(DeadLetters.header(headers, DeadLetters.SERVICE));
    }
}
