package dev.fmnist.trainer.service;

/**
 * One finished epoch, as the status endpoint and the benchmark show it. The time breakdown says
 * where the epoch's seconds went.
 *
 * @param epoch          1-based epoch number
 * @param trainLoss      mean cross-entropy per sample over the epoch (before each step's update)
 * @param trainAccuracy  fraction of training samples predicted right during the epoch
 * @param testAccuracy   accuracy over every labelled image of the test topic after the epoch
 * @param seconds        wall time of the whole epoch: read, shuffle, steps, evaluation, snapshot
 * @param modelVersion   version of the snapshot published for this epoch
 * @param readSeconds    Kafka replay of the train topic, of which {@code decodeSeconds} decoding and copying
 */
public record EpochSummary(int epoch, double trainLoss, double trainAccuracy, double testAccuracy, double seconds,
                           long modelVersion, long samples, long steps, long testSamples, double readSeconds, double decodeSeconds,
                           double shuffleSeconds, double trainSeconds, double evalSeconds, double publishSeconds) {
}
