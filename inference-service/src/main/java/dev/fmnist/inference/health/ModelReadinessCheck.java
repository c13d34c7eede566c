package dev.fmnist.inference.health;

import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once every served model has a live version: a ready replica then never answers 503 for
 * lack of a model, whichever model a request names (a load balancer cannot route by {@code ?model=}).
 * The cost: with {@code softmax,cnn}, a replica joins only when the trainer has published both.
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
    private final ModelService models;

    public ModelReadinessCheck(ModelService models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model").status(models.allLive());
        List<String> waiting = new ArrayList<>();
        for (ServedModel served : models.served()) {
            LoadedModel m = served.live();
            if (m == null) {
                waiting.add(served.name());
            } else {
                b.withData(served.name(), "v" + m.version() + " (epoch " + m.epoch() + ")");
            }
        }
        b.withData("default", models.defaultModel().name());
        if (!waiting.isEmpty()) {
            b.withData("reason", "no snapshot of " + waiting.stream().map(n -> "'" + n + "'").toList()
                    + " loaded yet");
        }
        return b.build();
    }
}
