package dev.fmnist.trainer.health;

import dev.fmnist.api.TrainingStatus;
import dev.fmnist.trainer.service.TrainingService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the service answers: a failed run is reported in the data (state, detail), not as
 * DOWN, because the POST that starts a new run must stay reachable through a Kubernetes Service.
 */
@Readiness
@ApplicationScoped
public class TrainerHealthCheck implements HealthCheck {
    private final TrainingService training;

    public TrainerHealthCheck(TrainingService training) {
        this.training = training;
    }

    @Override
    public HealthCheckResponse call() {
        TrainingStatus s = training.status();
        return HealthCheckResponse.named("trainer")
                .up()
                .withData("state", s.state())
                .withData("detail", String.valueOf(s.detail()))
                .withData("epoch", s.epoch())
                .withData("modelVersion", s.modelVersion())
                .build();
    }
}
