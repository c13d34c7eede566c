package dev.fmnist.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RequestPathMonitorTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final Duration LONG = Duration.ofMinutes(3);

    @Test
    void stuckOnlyWithALiveModelWorkWaitingAndNoProgressForTheTimeout() {
        assertTrue(RequestPathMonitor.stuck(true, 1, 0, LONG, TIMEOUT));
        assertTrue(RequestPathMonitor.stuck(true, 0, 5, LONG, TIMEOUT));
        assertFalse(RequestPathMonitor.stuck(false, 1, 5, LONG, TIMEOUT), "waiting for the first model is not stuck");
        assertFalse(RequestPathMonitor.stuck(true, 0, 0, LONG, TIMEOUT), "idle is not stuck");
        assertFalse(RequestPathMonitor.stuck(true, 0, Double.NaN, LONG, TIMEOUT), "unknown lag, nothing in flight");
        assertFalse(RequestPathMonitor.stuck(true, 1, 5, Duration.ofSeconds(10), TIMEOUT), "recent progress");
    }
}
