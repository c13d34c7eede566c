package dev.fmnist.inference.promotion;

import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.messaging.ModelControlFollower;
import dev.fmnist.inference.messaging.ModelControlPublisher;
import dev.fmnist.inference.messaging.SnapshotCatchUp;
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
    private final SnapshotCatchUp snapshots;

    public VerdictWriter(ModelControlPublisher publisher, ModelControlFollower follower, InferenceConfig config,
                         SnapshotCatchUp snapshots) {
        this.publisher = publisher;
        this.follower = follower;
        this.config = config;
        this.snapshots = snapshots;
    }

    /**
     * Whether this replica has read the model-control topic, then the snapshots, to the ends they had at startup (its
     * state is current): before that an old snapshot whose verdict was deleted would look like a candidate.
     */
    public boolean caughtUp() {
        try {
            return follower.awaitCaughtUp(java.time.Duration.ZERO) && snapshots.done();
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
        return readBack(publisher.publish(verdict));
    }

    /**
     * Deletes the verdict key of a version that can no longer matter and waits (bounded like {@link #write}) for the
     * tombstone to be read back here, which releases the key ({@link dev.fmnist.inference.domain.ModelRegistry#deleted}).
     *
     * @throws dev.fmnist.inference.service.ModelUnavailableException when it could not be written
     */
    public boolean delete(ServedModel model, long version) {
        return readBack(publisher.deleteVerdict(model.name(), version));
    }

    private boolean readBack(ModelControlPublisher.Written w) {
        try {
            return follower.awaitRead(w.partition(), w.offset(), config.controlApplyTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
