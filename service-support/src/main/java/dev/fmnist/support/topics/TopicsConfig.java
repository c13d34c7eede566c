package dev.fmnist.support.topics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How every service creates the pipeline's topics when they are missing: {@code fmnist.topics.*}. */
@ConfigMapping(prefix = "fmnist.topics")
public interface TopicsConfig {
    /**
     * Replication factor of the topics a service creates (1 for a single broker; 3 on a cluster with
     * min.insync.replicas=2, where acks=all writes to a topic with fewer replicas fail).
     */
    @WithDefault("1")
    short replicationFactor();

    /**
     * {@code min.insync.replicas} of the topics a service creates: 1 on a single broker (the topics get no
     * setting of their own), 2 with replication factor 3, so an acks=all write is on two brokers when it is
     * acknowledged.
     */
    @WithDefault("1")
    int minInsyncReplicas();
}
