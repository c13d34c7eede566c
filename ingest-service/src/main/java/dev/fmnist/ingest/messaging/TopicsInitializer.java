package dev.fmnist.ingest.messaging;

import dev.fmnist.support.kafka.KafkaOutage;
import dev.fmnist.support.topics.TopicInitializer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Creates the pipeline's topics (the shared {@link TopicInitializer}) at startup. It runs on a thread of its
 * own and retries ({@link KafkaOutage}'s waits, 1 s doubling to 30 s) whatever failed until the broker
 * answers, so the service starts (and reports not ready) while Kafka is still coming up or its name does
 * not resolve yet; every publication also calls {@link #ensure()} before its first send.
 */
@ApplicationScoped
public class TopicsInitializer {
    private static final Logger LOG = Logger.getLogger(TopicsInitializer.class);

    private final TopicInitializer topics;
    private final Guard retry;
    private final Thread starter;

    public TopicsInitializer(TopicInitializer topics) {
        this.topics = topics;
        this.retry = KafkaOutage.guard(e -> e instanceof RuntimeException, KafkaOutage.FIRST_BACKOFF,
                KafkaOutage.MAX_BACKOFF, -1, e -> LOG.warnf("cannot create the topics yet (%s); trying again", e.getMessage()));
        this.starter = new Thread(this::createTopics, "fmnist-ingest-topics");
        starter.setDaemon(true);
    }

    void onStart(@Observes StartupEvent event) {
        starter.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        starter.interrupt();
    }

    private void createTopics() {
        try {
            retry.call(() -> {
                ensure();
                return null;
            }, Void.class);
        } catch (InterruptedException e) {
            // the service is stopping
        } catch (Exception e) {
            LOG.errorf("cannot create the topics: %s (every publication tries again)", e.getMessage());
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
