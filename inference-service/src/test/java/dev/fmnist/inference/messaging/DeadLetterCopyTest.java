package dev.fmnist.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.Topics;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DeadLetterCopyTest {
    private static final DeadLetterCopy.Source SOURCE = new DeadLetterCopy.Source(Topics.REQUESTS, 2, 41);

    @Test
    void aSmallRecordIsCopiedWholeWithItsCoordinates() {
        var r = DeadLetterCopy.of("svc", SOURCE, "k".getBytes(), "v".getBytes(), "bad", 100);
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
        var r = DeadLetterCopy.of("svc", SOURCE, key, value, reason, 1000);
        assertEquals(1000, r.value().length);
        assertEquals(DeadLetterCopy.MAX_KEY_BYTES, r.key().length);
        assertTrue(DeadLetters.header(r.headers(), DeadLetters.REASON).length() <= DeadLetterCopy.MAX_REASON_CHARS + 3);
        assertEquals("true", DeadLetters.header(r.headers(), DeadLetters.TRUNCATED));
        assertEquals("2000000", DeadLetters.header(r.headers(), DeadLetters.ORIGINAL_SIZE));
        var bare = DeadLetterCopy.withoutValue("svc", SOURCE, key, value, reason);
        assertNull(bare.value());
        assertEquals("2000000", DeadLetters.header(bare.headers(), DeadLetters.ORIGINAL_SIZE));
    }
}
