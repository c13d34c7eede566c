package dev.fmnist.trainer.service;

/**
 * A run whose loss became NaN or infinite (a learning rate too large for the model): its weights are, or are
 * about to be, non-finite, so it stops at once with this reason in its status and log instead of publishing
 * garbage (the snapshot codec refuses non-finite weights; inference refuses such snapshots too).
 */
public final class TrainingDivergedException extends IllegalStateException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
