package dev.fmnist.trainer.service;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.trainer.messaging.TopicMirror;
import dev.fmnist.trainer.model.Models;
import dev.fmnist.trainer.model.TrainableModel;
import java.time.Instant;
import java.util.List;

/** The model's parameters (a copy) and its step count at one moment of a run, for an evaluation and a snapshot. */
record Parameters(Network network, long steps) {
    static Parameters of(TrainableModel model, MinibatchStepper stepper) {
        return new Parameters(model.network(), stepper.steps());
    }

    /**
     * Accuracy on every labelled image of the test mirror (NaN when it holds none), on a model of their
     * own (batched forward passes of the family's engine model): the training thread's model steps on meanwhile.
     */
    double accuracy(TopicMirror test, int evalChunk) {
        int count = test.count();
        if (count == 0) {
            return Double.NaN;
        }
        try (TrainableModel model = Models.of(network)) {
            return (double) model.countCorrectPixels(test.pixels(), test.labels(), count, evalChunk) / count;
        }
    }

    /** The snapshot of these parameters as version {@code version} of the run {@code settings} describe. */
    WeightSnapshot snapshot(TrainingSettings settings, long version, int epochs, WeightSnapshot.Metrics metrics,
                            List<WeightSnapshot.SourceOffset> lineage) {
        return new WeightSnapshot(settings.modelName(), version, epochs, steps, network,
                new WeightSnapshot.Hyperparameters(settings.learningRate(), settings.batchSize(), settings.seed()),
                metrics, lineage, Instant.now(), new WeightSnapshot.Plan(settings.epochs()));
    }
}
