package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrainingSettingsTest {
    static final TrainingSettings DEFAULTS = new TrainingSettings("fmnist-softmax", 10, 0.1, 256, 0, 0, true, true,
            false, 0, Duration.ZERO, Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(30),
            Duration.ofSeconds(2), 10_000);

    @Test
    void overridesReplaceOnlyWhatIsGiven() {
        TrainingSettings s = DEFAULTS.with(3, null, 64, 9L, false).validate();
        assertEquals(3, s.epochs());
        assertEquals(0.1, s.learningRate());
        assertEquals(64, s.batchSize());
        assertEquals(9, s.seed());
        assertEquals(false, s.resume());
        assertEquals(DEFAULTS, DEFAULTS.with(null, null, null, null, null));
    }

    @Test
    void invalidValuesAreAllNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> DEFAULTS.with(-1, Double.NaN, 0, null, null).validate());
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
        assertTrue(e.getMessage().contains("learningRate"), e.getMessage());
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.with(null, 0.0, null, null, null).validate());
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.with(null, null, 70_000, null, null).validate());
    }
}
