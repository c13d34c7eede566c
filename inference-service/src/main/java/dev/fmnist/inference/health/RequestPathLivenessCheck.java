package dev.fmnist.inference.health;

import dev.fmnist.inference.messaging.RequestPathMonitor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * DOWN when the Kafka request path is stuck: records wait and none has been finished for
 * {@code fmnist.inference.request-stall-timeout} while a model is live; a restart gets the partitions
 * read again from the last commit. (A channel that stopped on a failure is reported by SmallRye's
 * own Kafka liveness check of {@code requests-in}.) A broker outage alone does not make it DOWN:
 * without records fetched there is no lag and nothing in flight.
 */
@Liveness
@ApplicationScoped
public class RequestPathLivenessCheck implements HealthCheck {
    private final RequestPathMonitor monitor;

    public RequestPathLivenessCheck(RequestPathMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public HealthCheckResponse call() {
        boolean stuck = monitor.stuck();
        return HealthCheckResponse.named("kafka-request-path").status(!stuck)
                .withData("inFlight", monitor.inFlight())
                .withData("lag", String.valueOf(monitor.lag()))
                .withData("secondsSinceProgress", monitor.sinceProgress().toSeconds())
                .withData("stallTimeoutSeconds", monitor.stallTimeout().toSeconds()).build();
    }
}
