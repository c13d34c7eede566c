package dev.fmnist.support.topics;

import dev.fmnist.contracts.Topics;
import dev.fmnist.support.kafka.KafkaClientFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * Creates the pipeline's missing topics ({@link Topics#ALL}) with the configured replication factor;
 * the one topic-creation policy of the three services. Cheap once the topics exist.
 */
@ApplicationScoped
public class TopicInitializer {
    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);
    private final KafkaClientFactory kafka;
    private final short replicationFactor;
    private final int minInsyncReplicas;
    private volatile boolean done;

    @Inject
    public TopicInitializer(KafkaClientFactory kafka, TopicsConfig config) {
        this(kafka, config.replicationFactor(), config.minInsyncReplicas());
    }

    /** A single broker's initializer: no min.insync.replicas of the topics' own. */
    public TopicInitializer(KafkaClientFactory kafka, short replicationFactor) {
        this(kafka, replicationFactor, 1);
    }

    public TopicInitializer(KafkaClientFactory kafka, short replicationFactor, int minInsyncReplicas) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("fmnist.topics.replication-factor must be at least 1, got "
                    + replicationFactor);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("fmnist.topics.min-insync-replicas must be between 1 and the replication factor "
                    + replicationFactor + ", got " + minInsyncReplicas);
        }
        this.kafka = kafka;
        this.replicationFactor = replicationFactor;
        this.minInsyncReplicas = minInsyncReplicas;
    }

    /**
     * Creates the topics that do not exist yet; returns the names it created (none once it has
     * succeeded).
     *
     * @throws IllegalStateException when the broker cannot be reached or refuses
     */
    public List<String> ensure() {
        if (done) {
            return List.of();
        }
        try (Admin admin = kafka.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "fmnist-topics",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            List<String> created = Topics.ensure(admin, replicationFactor, minInsyncReplicas);
            if (!created.isEmpty()) {
                LOG.infof("created topics %s (replication factor %d, min.insync.replicas %d)", created, replicationFactor,
                        minInsyncReplicas);
            }
            growTopics(admin);
            done = true;
            return created;
        }
    }

    /**
     * Best effort: a topic made with fewer partitions than declared (fmnist.requests had 3) is grown; a
     * principal without ALTER (the secured broker's services) cannot, and the service goes on: replicas beyond
     * the partition count only sit idle on Kafka requests.
     */
    private static void growTopics(Admin admin) {
        try {
            List<String> grown = Topics.grow(admin);
            if (!grown.isEmpty()) {
                LOG.infof("grew topics to their declared partitions: %s (a key may now map to another partition)",
                        grown);
            }
        } catch (IllegalStateException e) {
            LOG.warnf("could not grow topics to their declared partitions (%s); an operator can with "
                    + "kafka-topics.sh --alter --partitions", e.getMessage());
        }
    }

    /** Whether {@link #ensure()} has succeeded. */
    public boolean ready() {
        return done;
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }
}
