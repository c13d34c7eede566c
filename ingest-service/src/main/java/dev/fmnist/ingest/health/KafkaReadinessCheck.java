package dev.fmnist.ingest.health;

import dev.fmnist.ingest.messaging.TopicsInitializer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the broker answers and the pipeline's topics exist: then publishing can work. */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {
    private final Admin admin;
    private final TopicsInitializer topics;

    public KafkaReadinessCheck(Admin admin, TopicsInitializer topics) {
        this.admin = admin;
        this.topics = topics;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("kafka").withData("topics", topics.ready());
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                    .nodes().get(3, TimeUnit.SECONDS).size();
            b.withData("brokers", nodes);
            return b.status(nodes > 0 && topics.ready()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return b.down().withData("error", "interrupted").build();
        } catch (Exception e) {
            return b.down().withData("error", String.valueOf(e.getCause() == null ? e : e.getCause())).build();
        }
    }
}
