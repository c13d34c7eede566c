package dev.fmnist.inference.health;

import dev.fmnist.inference.messaging.ModelControlFollower;
import dev.fmnist.inference.messaging.SnapshotConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness says only that the process serves HTTP; it does not depend on Kafka, so a broker outage
 * never gets healthy replicas (that keep serving their model) restarted. The snapshot consumer's
 * and the model-control follower's states are shown for information.
 */
@Liveness
@ApplicationScoped
public class ProcessLivenessCheck implements HealthCheck {
    private final SnapshotConsumer snapshots;
    private final ModelControlFollower control;

    public ProcessLivenessCheck(SnapshotConsumer snapshots, ModelControlFollower control) {
        this.snapshots = snapshots;
        this.control = control;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("inference-service").up()
                .withData("snapshotConsumerRunning", snapshots.alive())
                .withData("modelControlFollowerRunning", control.alive()).build();
    }
}
