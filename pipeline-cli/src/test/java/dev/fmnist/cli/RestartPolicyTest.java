package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    private static final RestartPolicy P = RestartPolicy.DEFAULT;

    @Test
    void backoffDoublesFromOneSecondUpToAMinute() {
        long[] seconds = new long[12];
        for (int n = 1; n <= 12; n++) {
            seconds[n - 1] = P.backoff(n).toSeconds();
        }
        assertEquals("[1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]", java.util.Arrays.toString(seconds));
        assertEquals(Duration.ofSeconds(60), P.backoff(1_000_000), "no overflow however long it loops");
        assertEquals(Duration.ofSeconds(1), P.backoff(0));
        assertEquals(Duration.ZERO, new RestartPolicy(Duration.ZERO, Duration.ZERO, Duration.ZERO, 1).backoff(5));
    }

    @Test
    void theCountStartsOverAfterFiveMinutesUp() {
        assertEquals(1, P.consecutive(0, Duration.ofSeconds(3)));
        assertEquals(4, P.consecutive(3, Duration.ofSeconds(3)));
        assertEquals(4, P.consecutive(3, Duration.ofMinutes(5).minusMillis(1)));
        assertEquals(1, P.consecutive(9, Duration.ofMinutes(5)), "up 5 min: a new first crash, backoff 1 s again");
        assertEquals(Duration.ofSeconds(1), P.backoff(P.consecutive(9, Duration.ofHours(2))));
    }

    @Test
    void tenCrashesInARowAreACrashLoopUntilItStaysUp() {
        assertFalse(P.crashLooping(9));
        assertTrue(P.crashLooping(10));
        Instant at = Instant.parse("2025-01-01T10:00:00Z");
        Restarts.Entry tenth = new Restarts.Entry(10, 10, OptionalInt.of(1), at, Duration.ofMillis(300), Duration.ofSeconds(60));
        assertTrue(P.crashLooping(tenth, false, at.plusSeconds(30)), "waiting out its backoff");
        assertTrue(P.crashLooping(tenth, true, at.plusSeconds(90)), "restarted 30 s ago");
        assertFalse(P.crashLooping(tenth, true, at.plusSeconds(60 + 301)), "up for more than 5 min since");
        Restarts.Entry second = new Restarts.Entry(12, 2, OptionalInt.of(1), at, Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertFalse(P.crashLooping(second, false, at));
    }

    @Test
    void aPolicyMustMakeSense() {
        assertThrows(IllegalArgumentException.class,
                () -> new RestartPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(5), 10));
        assertThrows(IllegalArgumentException.class,
                () -> new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(5), 0));
    }
}
