package dev.fmnist.trainer.service;

/**
 * Overrides of one run ({@code POST /api/v1/training}); a null field keeps the configured value.
 *
 * @param resume false starts from a fresh W drawn with the seed (versions still continue)
 */
public record TrainingRequest(Integer epochs, Double learningRate, Integer batchSize, Long seed, Boolean resume) {
    public static final TrainingRequest NONE = new TrainingRequest(null, null, null, null, null);
}
