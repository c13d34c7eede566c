package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fmnist.api.TrainingStatus;
import dev.fmnist.contracts.WeightSnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The epoch history (status and per-epoch gauges) keeps the newest {@code history-limit} epochs. */
class HistoryLimitTest {
    static final TrainingSettings SETTINGS = new TrainingSettings("m", 10, 0.1, 256, 0, 0, true, true, false, 0,
            Duration.ZERO, Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(2),
            10_000);

    static EpochSummary epoch(int e) {
        return new EpochSummary(e, e, new WeightSnapshot.Metrics(1.0 / e, 0.5, 0.4 + e / 100.0),
                new EpochSummary.Counts(600, 3, 100), new EpochSummary.Timings(0.1, 0.01, 0, 0.2, 0, 0.05, 0.01, false));
    }

    @Test
    void statusKeepsTheNewestEpochs() {
        RunStatus status = new RunStatus(3);
        for (int e = 1; e <= 10; e++) {
            status.epoch(epoch(e));
        }
        TrainingStatus s = status.toStatus(SETTINGS);
        assertEquals(List.of(8, 9, 10), s.history().stream().map(TrainingStatus.HistoryEntry::epoch).toList());
        assertEquals(10, s.epoch());
        assertEquals(600 / 0.36, s.samplesPerSecond(), 1e-6);
        status.freshRun();
        assertEquals(List.of(), status.toStatus(SETTINGS).history());
        assertThrows(IllegalArgumentException.class, () -> new RunStatus(0));
    }

    @Test
    void perEpochGaugesKeepTheNewestEpochsUnderTheirNames() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrainerMetrics metrics = new TrainerMetrics(registry, 3);
        for (int e = 1; e <= 10; e++) {
            metrics.epoch(epoch(e));
        }
        for (String name : List.of("fmnist.trainer.history.train.loss", "fmnist.trainer.history.train.accuracy",
                "fmnist.trainer.history.test.accuracy")) {
            assertEquals(List.of("10", "8", "9"), registry.find(name).gauges().stream()
                    .map(g -> g.getId().getTag("epoch")).sorted().toList(), name);
        }
        assertEquals(0.5, registry.get("fmnist.trainer.history.test.accuracy").tag("epoch", "10").gauge().value(), 1e-12);
        assertEquals(0.1, registry.get("fmnist.trainer.history.train.loss").tag("epoch", "10").gauge().value(), 1e-12);
        assertEquals(10, registry.get("fmnist.trainer.epoch").gauge().value());
        metrics.epoch(epoch(9)); // a later run finishing an epoch again updates it in place
        assertEquals(3, registry.find("fmnist.trainer.history.test.accuracy").gauges().size());
        assertThrows(IllegalArgumentException.class, () -> new TrainerMetrics(new SimpleMeterRegistry(), 0));
    }

    @Test
    void eachModelKeepsItsOwnSeriesUnderItsModelTag() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrainerMetrics metrics = new TrainerMetrics(registry, 3);
        metrics.epoch(epoch(4));
        metrics.state(Trainer.State.COMPLETED, "done");
        metrics.model("fmnist-cnn");
        metrics.epoch(epoch(1));
        metrics.state(Trainer.State.TRAINING, "epoch 2 of 10");
        assertEquals(4, registry.get("fmnist.trainer.epoch").tag("model", "fmnist-softmax").gauge().value());
        assertEquals(1, registry.get("fmnist.trainer.epoch").tag("model", "fmnist-cnn").gauge().value());
        assertEquals(1, registry.get("fmnist.trainer.state").tags("model", "fmnist-softmax", "state", "COMPLETED")
                .gauge().value());
        assertEquals(1, registry.get("fmnist.trainer.state").tags("model", "fmnist-cnn", "state", "TRAINING")
                .gauge().value());
        assertEquals(0.41, registry.get("fmnist.trainer.history.test.accuracy").tags("model", "fmnist-cnn", "epoch", "1")
                .gauge().value(), 1e-12);
        metrics.model("fmnist-softmax"); // named again: the same meters, not a second set
        assertEquals(2, registry.find("fmnist.trainer.epoch").gauges().size());
    }
}
