package dev.fmnist.ingest.messaging;

import dev.fmnist.contracts.Topics;
import dev.fmnist.ingest.config.IngestConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

/**
 * Creates the pipeline's topics ({@link Topics#ensure}) at startup. It runs in the background and
 * retries until the broker answers, so the service starts (and reports not ready) while Kafka is
 * still coming up; every publication also calls {@link #ensure()} before its first send.
 */
@ApplicationScoped
public class TopicsInitializer {
    private static final Logger LOG = Logger.getLogger(TopicsInitializer.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final Admin admin;
    private final short replicationFactor;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fmnist-ingest-topics");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean ready;

    public TopicsInitializer(Admin admin, IngestConfig config) {
        this.admin = admin;
        this.replicationFactor = config.topicReplicationFactor();
    }

    void onStart(@Observes StartupEvent event) {
        scheduler.execute(() -> attempt(1_000));
    }

    void onStop(@Observes ShutdownEvent event) {
        scheduler.shutdownNow();
    }

    private void attempt(long backoffMs) {
        try {
            ensure();
        } catch (RuntimeException e) {
            LOG.warnf("cannot create the topics yet (%s); retrying in %d s", e.getMessage(), backoffMs / 1000);
            scheduler.schedule(() -> attempt(Math.min(MAX_BACKOFF_MS, backoffMs * 2)), backoffMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Creates the missing topics now; cheap when they exist.
     *
     * @throws IllegalStateException when the broker cannot be reached or refuses
     */
    public void ensure() {
        if (ready) {
            return;
        }
        List<String> created = Topics.ensure(admin, replicationFactor);
        if (!created.isEmpty()) {
            LOG.infof("created topics %s", created);
        }
        ready = true;
    }

    public boolean ready() {
        return ready;
    }
}
