package dev.fmnist.inference.promotion;

import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.messaging.ModelControlFollower;
import dev.fmnist.inference.messaging.ModelControlPublisher;
import dev.fmnist.inference.service.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Writes a promotion verdict for every replica and waits until this replica has read it back, so the
 * promoter's next look sees it in force (and never writes a second verdict for the same version itself).
 */
@ApplicationScoped
public class VerdictWriter {
    private final ModelControlPublisher publisher;
    private final ModelControlFollower follower;
    private final InferenceConfig config;

    public VerdictWriter(ModelControlPublisher publisher, ModelControlFollower follower, InferenceConfig config) {
        this.publisher = publisher;
        this.follower = follower;
        this.config = config;
    }

    /** Whether this replica has read the model-control topic to the end it had at startup (its state is current). */
    public boolean caughtUp() {
        try {
            return follower.awaitCaughtUp(java.time.Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Writes {@code verdict} and waits (bounded by {@code control-apply-timeout}) for it to be read back here.
     *
     * @return whether it was read back in time
     * @throws dev.fmnist.inference.service.ModelUnavailableException when it could not be written
     */
    public boolean write(ServedModel model, ModelVerdict verdict) {
        ModelControlPublisher.Written w = publisher.publish(verdict);
        try {
            return follower.awaitRead(w.partition(), w.offset(), config.controlApplyTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
