package dev.fmnist.inference.health;

import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.ModelService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once a model is loaded: before that every classification would answer 503. */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
    private final ModelService models;

    public ModelReadinessCheck(ModelService models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        LoadedModel m = models.live();
        if (m == null) {
            return HealthCheckResponse.named("model").down()
                    .withData("reason", "no snapshot of '" + models.modelName() + "' loaded yet").build();
        }
        return HealthCheckResponse.named("model").up().withData("model", m.modelName())
                .withData("version", m.version()).withData("epoch", m.epoch()).build();
    }
}
