package dev.fmnist.trainer.model;

/**
 * Result of one training step on a minibatch: the summed loss over its samples and how many of them
 * the model predicted right before the update (the epoch's train figures are sums of these).
 */
public record StepResult(int count, double lossSum, int correct) {
}
