package dev.fmnist.ingest.messaging;

import dev.fmnist.support.topics.TopicInitializer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Creates the pipeline's topics (the shared {@link TopicInitializer}) at startup. It runs in the background and
 * retries until the broker answers, so the service starts (and reports not ready) while Kafka is
 * still coming up; every publication also calls {@link #ensure()} before its first send.
 */
@ApplicationScoped
public class TopicsInitializer {
    private static final Logger LOG = Logger.getLogger(TopicsInitializer.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final TopicInitializer topics;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fmnist-ingest-topics");
        t.setDaemon(true);
        return t;
    });

    public TopicsInitializer(TopicInitializer topics) {
        this.topics = topics;
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
        topics.ensure();
    }

    public boolean ready() {
        return topics.ready();
    }
}
