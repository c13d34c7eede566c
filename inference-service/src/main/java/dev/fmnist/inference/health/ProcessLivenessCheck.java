package dev.fmnist.inference.health;

import dev.fmnist.inference.messaging.SnapshotConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness says only that the process serves HTTP; it does not depend on Kafka, so a broker outage
 * never gets healthy replicas (that keep serving their model) restarted. The snapshot consumer's
 * state is shown for information.
 */
@Liveness
@ApplicationScoped
public class ProcessLivenessCheck implements HealthCheck {
    private final SnapshotConsumer snapshots;

    public ProcessLivenessCheck(SnapshotConsumer snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("inference-service").up()
                .withData("snapshotConsumerRunning", snapshots.alive()).build();
    }
}
