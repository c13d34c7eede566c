package dev.fmnist.inference.service;

import dev.fmnist.contracts.ModelControl;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.inference.messaging.ModelControlFollower;
import dev.fmnist.inference.messaging.ModelControlPublisher;
import dev.fmnist.support.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;

/**
 * Pin, unpin and rollback of one served model for every replica: the decision is checked against this
 * replica's retained versions of that model, written to the model-control topic, and in force here once this replica's
 * follower has read it back (every other replica follows the same topic).
 */
@ApplicationScoped
public class ModelControlService {
    private final ModelControlPublisher publisher;
    private final ModelControlFollower follower;
    private final InferenceConfig config;
    private final Clock clock;

    public ModelControlService(ModelControlPublisher publisher, ModelControlFollower follower,
                               InferenceConfig config) {
        this.publisher = publisher;
        this.follower = follower;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    /** What a decision led to here: the state after it, and whether this replica has applied it yet. */
    public record Outcome(ModelRegistry.State state, boolean applied) {
    }

    /**
     * Serves {@code version} of {@code model} on every replica until unpinned.
     *
     * @throws ApiException (409) when that version is not retained here
     */
    public Outcome pin(ServedModel model, long version) {
        try {
            model.registry().requireRetained(version);
        } catch (IllegalArgumentException e) {
            throw ApiException.conflict(model.name() + ": " + e.getMessage());
        }
        return decide(model, ModelControl.Action.PIN, version);
    }

    /** Every replica follows the newest version of {@code model} again. */
    public Outcome unpin(ServedModel model) {
        return decide(model, ModelControl.Action.UNPIN, 0);
    }

    /**
     * Pins, on every replica, the newest retained version of {@code model} older than the one live here.
     *
     * @throws ApiException (409) when there is no older version to go back to
     */
    public Outcome rollback(ServedModel model) {
        long target;
        try {
            target = model.registry().rollbackTarget();
        } catch (IllegalStateException e) {
            throw ApiException.conflict(model.name() + ": " + e.getMessage());
        }
        return decide(model, ModelControl.Action.ROLLBACK, target);
    }

    private Outcome decide(ServedModel model, ModelControl.Action action, long version) {
        // later than the decision in force even if this replica's clock is behind the one that made it,
        // so followers (which ignore older decisions as replays) never drop it
        Instant now = clock.instant();
        Instant inForce = follower.inForceSince(model.name());
        Instant at = now.isAfter(inForce) ? now : inForce.plusMillis(1);
        ModelControlPublisher.Written written =
                publisher.publish(new ModelControl(model.name(), version, action, at));
        boolean applied;
        try {
            applied = follower.awaitRead(written.partition(), written.offset(), config.controlApplyTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            applied = false;
        }
        return new Outcome(model.registry().state(), applied);
    }
}
