package dev.fmnist.trainer.messaging;

/**
 * Another trainer of the same model took over its {@code transactional.id}: this one must stop
 * without retrying, or two writers would publish the same versions.
 */
public final class FencedException extends RuntimeException {
    public FencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
