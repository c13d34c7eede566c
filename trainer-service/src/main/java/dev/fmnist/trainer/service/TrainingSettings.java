package dev.fmnist.trainer.service;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one training run needs to know. Built from the configuration ({@code fmnist.trainer.*})
 * with the overrides of {@code POST /api/v1/training} applied; {@link #validate()} names every
 * invalid value.
 *
 * @param modelName                  snapshot key and model identity
 * @param epochs                     total epochs the model should have completed (resume counts the done ones)
 * @param learningRate               SGD learning rate
 * @param batchSize                  minibatch size
 * @param seed                       seeds W's initialisation and each epoch's shuffle
 * @param shuffleBuffer              shuffle-buffer slots; 0 = the whole split (a full shuffle)
 * @param resume                     continue from the model's latest snapshot (else start from a fresh W, versions still increase)
 * @param waitForData                wait until the datasets are complete before the first epoch
 * @param continuous                 after the planned epochs, keep training on records appended to the train topic
 * @param snapshotEverySteps         also publish a snapshot every N steps (0 = off)
 * @param snapshotInterval           also publish a snapshot every T during epochs (zero = off)
 * @param continuousSnapshotInterval publish period in continuous mode when steps were taken
 * @param pollTimeout                Kafka poll timeout (also how quickly a stop is noticed while waiting)
 * @param kafkaTimeout               timeout of metadata calls and of a snapshot's acknowledgement
 * @param readyPollInterval          pause between two data-readiness checks
 * @param evalChunk                  rows per matmul when evaluating the test set
 * @param family                     the model family trained (its architecture and recipe)
 */
public record TrainingSettings(String modelName, int epochs, double learningRate, int batchSize, long seed,
                               int shuffleBuffer, boolean resume, boolean waitForData, boolean continuous,
                               int snapshotEverySteps, Duration snapshotInterval, Duration continuousSnapshotInterval,
                               Duration pollTimeout, Duration kafkaTimeout, Duration readyPollInterval, int evalChunk,
                               ModelFamily family) {

    public static final int MAX_BATCH_SIZE = 65_536;

    /** Settings of a softmax-regression run (the seed's model). */
    public TrainingSettings(String modelName, int epochs, double learningRate, int batchSize, long seed,
                            int shuffleBuffer, boolean resume, boolean waitForData, boolean continuous,
                            int snapshotEverySteps, Duration snapshotInterval, Duration continuousSnapshotInterval,
                            Duration pollTimeout, Duration kafkaTimeout, Duration readyPollInterval, int evalChunk) {
        this(modelName, epochs, learningRate, batchSize, seed, shuffleBuffer, resume, waitForData, continuous,
                snapshotEverySteps, snapshotInterval, continuousSnapshotInterval, pollTimeout, kafkaTimeout,
                readyPollInterval, evalChunk, ModelFamily.SOFTMAX);
    }

    /** These settings for another family under its own model name. */
    public TrainingSettings of(ModelFamily other) {
        return new TrainingSettings(other.modelName(), epochs, learningRate, batchSize, seed, shuffleBuffer, resume,
                waitForData, continuous, snapshotEverySteps, snapshotInterval, continuousSnapshotInterval, pollTimeout,
                kafkaTimeout, readyPollInterval, evalChunk, other);
    }

    /** These settings without continuous mode: the run ends after its planned epochs. */
    public TrainingSettings planned() {
        return new TrainingSettings(modelName, epochs, learningRate, batchSize, seed, shuffleBuffer, resume,
                waitForData, false, snapshotEverySteps, snapshotInterval, continuousSnapshotInterval, pollTimeout,
                kafkaTimeout, readyPollInterval, evalChunk, family);
    }

    /** @throws IllegalArgumentException listing every invalid value */
    public TrainingSettings validate() {
        List<String> errors = new ArrayList<>();
        if (modelName == null || modelName.isBlank() || modelName.length() > 200) {
            errors.add("modelName must be 1-200 characters");
        }
        if (epochs < 0 || epochs > 100_000) {
            errors.add("epochs must be in 0..100000, got " + epochs);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate) || learningRate > 1000) {
            errors.add("learningRate must be a finite number in (0, 1000], got " + learningRate);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            errors.add("batchSize must be in 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
        }
        if (shuffleBuffer < 0) {
            errors.add("shuffleBuffer must be >= 0 (0 = whole split), got " + shuffleBuffer);
        }
        if (snapshotEverySteps < 0) {
            errors.add("snapshotEverySteps must be >= 0, got " + snapshotEverySteps);
        }
        for (var d : List.of(snapshotInterval, continuousSnapshotInterval, pollTimeout, kafkaTimeout, readyPollInterval)) {
            if (d == null || d.isNegative()) {
                errors.add("durations must be >= 0");
                break;
            }
        }
        if (evalChunk < 1) {
            errors.add("evalChunk must be >= 1");
        }
        if (family == null) {
            errors.add("family must be given");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return this;
    }

    public TrainingSettings with(Integer epochs, Double learningRate, Integer batchSize, Long seed, Boolean resume) {
        return new TrainingSettings(modelName, epochs != null ? epochs : this.epochs,
                learningRate != null ? learningRate : this.learningRate, batchSize != null ? batchSize : this.batchSize,
                seed != null ? seed : this.seed, shuffleBuffer, resume != null ? resume : this.resume, waitForData,
                continuous, snapshotEverySteps, snapshotInterval, continuousSnapshotInterval, pollTimeout, kafkaTimeout,
                readyPollInterval, evalChunk, family);
    }

    /** These settings with the plan (target epochs, hyperparameters) recorded in {@code latest}, to finish its run. */
    TrainingSettings finishing(WeightSnapshot latest) {
        WeightSnapshot.Hyperparameters h = latest.hyperparameters();
        return with(latest.plan().targetEpochs(), h.learningRate(), h.batchSize(), h.seed(), true).validate();
    }
}
