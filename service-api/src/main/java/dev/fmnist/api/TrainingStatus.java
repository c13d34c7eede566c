package dev.fmnist.api;

import java.util.List;

/**
 * What the trainer's {@code GET /api/v1/training} answers.
 *
 * @param state        IDLE, WAITING_FOR_KAFKA, WAITING_FOR_DATA, TRAINING, CONTINUOUS, COMPLETED, STOPPED or FAILED
 * @param detail       what the state is about (the epoch in progress, what the data wait waits for, the error)
 * @param epoch        completed epochs of the model
 * @param step         SGD steps the model has taken
 * @param modelVersion last published snapshot version (0 = none yet)
 * @param history      one entry per epoch finished by this process, oldest first, the newest
 *                     {@code history-limit} only (samples = labelled training images of the epoch after
 *                     de-duplication)
 * @param missingData  announced dataset splits still incomplete when the run began training at the readiness
 *                     deadline (fmnist.trainer.readiness-deadline), e.g. "fmnist.train d TRAIN: 25600 of 60000
 *                     images"; empty when the data was complete
 */
public record TrainingStatus(String state, String detail, String modelName, int epoch, int plannedEpochs, long step,
                             long modelVersion, double learningRate, int batchSize, long seed,
                             Double samplesPerSecond, List<HistoryEntry> history, List<String> missingData) {

    /** The states in which a run has ended for good or runs on without end. */
    public static final String COMPLETED = "COMPLETED";
    public static final String CONTINUOUS = "CONTINUOUS";
    public static final String FAILED = "FAILED";

    /** One finished epoch. */
    public record HistoryEntry(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double seconds,
                               long modelVersion, long samples, long testSamples) {
    }
}
