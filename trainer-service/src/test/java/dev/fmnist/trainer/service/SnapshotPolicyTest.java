package dev.fmnist.trainer.service;

import static dev.fmnist.trainer.service.SnapshotPolicy.Moment.STEP;
import static dev.fmnist.trainer.service.SnapshotPolicy.Moment.STOP;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {
    long now = 1_000_000_000L;

    static TrainingSettings settings(int everySteps, Duration interval, Duration continuousInterval) {
        return new TrainingSettings("m", 10, 0.1, 256, 0, 0, true, true, true, everySteps, interval, continuousInterval,
                Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(2), 10_000);
    }

    SnapshotPolicy epochs(int everySteps, Duration interval) {
        return SnapshotPolicy.duringEpochs(settings(everySteps, interval, Duration.ofSeconds(30)), () -> now);
    }

    SnapshotPolicy continuous(int everySteps, Duration interval) {
        return SnapshotPolicy.continuous(settings(everySteps, Duration.ZERO, interval), () -> now);
    }

    @Test
    void byDefaultEpochsSnapshotOnlyAtTheirEnd() {
        SnapshotPolicy p = epochs(0, Duration.ZERO);
        for (int i = 0; i < 1000; i++) {
            p.stepped();
            now += 1_000_000_000L;
            assertFalse(p.due(STEP), "step " + i);
        }
        assertFalse(p.due(STOP), "a stopped epoch publishes nothing");
    }

    @Test
    void everyNStepsCountsFromTheLastSnapshot() {
        SnapshotPolicy p = epochs(3, Duration.ZERO);
        p.stepped();
        p.stepped();
        assertFalse(p.due(STEP));
        p.stepped();
        assertTrue(p.due(STEP));
        p.restart();
        assertFalse(p.due(STEP), "no step since the snapshot");
        p.stepped();
        assertFalse(p.due(STEP));
    }

    @Test
    void everyTNeedsAStepAndTheInterval() {
        SnapshotPolicy p = epochs(0, Duration.ofSeconds(5));
        now += 6_000_000_000L;
        assertFalse(p.due(STEP), "interval passed but no step taken");
        p.stepped();
        assertTrue(p.due(STEP));
        p.restart();
        p.stepped();
        now += 4_999_999_999L;
        assertFalse(p.due(STEP));
        now += 1;
        assertTrue(p.due(STEP), "exactly the interval");
    }

    @Test
    void continuousModeUsesItsIntervalAndSnapshotsOnStop() {
        SnapshotPolicy p = continuous(0, Duration.ofSeconds(30));
        assertFalse(p.due(STOP), "nothing trained: nothing to publish on stop");
        p.stepped();
        assertFalse(p.due(STEP));
        assertTrue(p.due(STOP));
        now += 30_000_000_000L;
        assertTrue(p.due(STEP));
        p.restart();
        assertFalse(p.due(STEP));
        assertFalse(p.due(STOP));
    }

    @Test
    void continuousModeAlsoHonoursEveryNSteps() {
        SnapshotPolicy p = continuous(2, Duration.ofHours(1));
        p.stepped();
        assertFalse(p.due(STEP));
        p.stepped();
        assertTrue(p.due(STEP));
    }

    @Test
    void aZeroContinuousIntervalSnapshotsAfterEveryPollThatTrained() {
        SnapshotPolicy p = continuous(0, Duration.ZERO);
        assertFalse(p.due(STEP));
        p.stepped();
        assertTrue(p.due(STEP));
    }
}
