package dev.fmnist.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.model.ModelFamily;
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
    void aPlannedRunIsTheSameRunWithoutContinuousMode() {
        TrainingSettings continuous = new TrainingSettings("fmnist-cnn", 10, 0.005, 256, 0, 0, true, true, true, 0,
                Duration.ZERO, Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(2), 10_000, ModelFamily.CNN);
        TrainingSettings planned = continuous.planned();
        assertEquals(false, planned.continuous());
        assertEquals(continuous, new TrainingSettings(planned.modelName(), planned.epochs(), planned.learningRate(),
                planned.batchSize(), planned.seed(), planned.shuffleBuffer(), planned.resume(), planned.waitForData(),
                true, planned.snapshotEverySteps(), planned.snapshotInterval(), planned.continuousSnapshotInterval(),
                planned.pollTimeout(), planned.kafkaTimeout(), planned.readyPollInterval(), planned.evalChunk(),
                planned.family()));
    }

    @Test
    void aRunOfNoPlannedEpochsLearnsAtTheBaseRate() {
        assertEquals(0.0, Trainer.progress(0, 0));
        assertEquals(0.0, Trainer.progress(0, 7.5));
        assertEquals(0.25, Trainer.progress(10, 2.5));
        // the cosine schedule's base rate at progress 0, not its end (0)
        assertTrue(dev.fmnist.trainer.model.Recipe.of(ModelFamily.CNN).rate(0.005, Trainer.progress(0, 3)) > 0.004);
    }

    @Test
    void requestsAreParsedStrictly() {
        assertEquals(TrainingRequest.NONE, TrainingRequest.parse(java.util.Map.of()));
        assertEquals(new TrainingRequest(3, 0.05, 128, 7L, false), TrainingRequest.parse(java.util.Map.of(
                "epochs", 3, "learningRate", 0.05, "batchSize", 128, "seed", 7, "resume", false)));
        assertEquals(1.0, TrainingRequest.parse(java.util.Map.of("learningRate", 1)).learningRate());
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingRequest.parse(java.util.Map.of(
                "epoch", 3, "batchSize", 2.5, "resume", "yes")));
        assertTrue(e.getMessage().contains("unknown field 'epoch'"), e.getMessage());
        assertTrue(e.getMessage().contains("batchSize must be a whole number"), e.getMessage());
        assertTrue(e.getMessage().contains("resume must be true or false"), e.getMessage());
    }

    @Test
    void requestNumbersOutOfRangeOrOfTheWrongKindAreRefused() {
        assertEquals(TrainingRequest.NONE, TrainingRequest.parse(null));
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingRequest.parse(java.util.Map.of(
                "epochs", 3_000_000_000L, "seed", 1.5, "learningRate", "fast")));
        assertTrue(e.getMessage().contains("epochs is out of range"), e.getMessage());
        assertTrue(e.getMessage().contains("seed must be a whole number"), e.getMessage());
        assertTrue(e.getMessage().contains("learningRate must be a number"), e.getMessage());
        assertEquals(Long.MAX_VALUE, TrainingRequest.parse(java.util.Map.of("seed", Long.MAX_VALUE)).seed());
    }

    @Test
    void aRequestNamesItsModelByFamilyOrModelName() {
        assertEquals(ModelFamily.CNN, TrainingRequest.parse(java.util.Map.of("model", "cnn")).model());
        assertEquals(ModelFamily.MLP, TrainingRequest.parse(java.util.Map.of("model", "fmnist-mlp")).model());
        assertEquals(null, TrainingRequest.parse(java.util.Map.of("epochs", 2)).model());
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingRequest.parse(java.util.Map.of(
                "model", "resnet", "modle", "cnn")));
        assertTrue(e.getMessage().contains("unknown model family 'resnet'"), e.getMessage());
        assertTrue(e.getMessage().contains("[softmax, mlp, cnn]"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field 'modle'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingRequest.parse(java.util.Map.of("model", 3)));
        assertTrue(e.getMessage().contains("model must be a string"), e.getMessage());
    }

    @Test
    void eachFamilyTrainsUnderItsOwnModelName() {
        assertEquals(ModelFamily.SOFTMAX, DEFAULTS.family());
        TrainingSettings cnn = DEFAULTS.of(ModelFamily.CNN);
        assertEquals("fmnist-cnn", cnn.modelName());
        assertEquals(ModelFamily.CNN, cnn.family());
        assertEquals(cnn, cnn.with(null, null, null, null, null).validate());
        assertEquals(java.util.List.of(ModelFamily.CNN, ModelFamily.SOFTMAX),
                TrainingService.families(java.util.List.of("cnn", "fmnist-softmax", "CNN")));
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingService.families(java.util.List.of("svm")));
        assertTrue(e.getMessage().contains("fmnist.trainer.models"), e.getMessage());
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
