package dev.fmnist.inference.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.Map;

/**
 * A test profile without a broker: the request and prediction channels in memory, the plain clients
 * (snapshots, dead letters) at a closed port, and the policy {@code latest} (models offered straight to their
 * registries serve at once). A subclass adds its own settings with {@link #more()}.
 */
public class InMemoryChannels implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(Map.of(
                "mp.messaging.incoming.requests-in.connector", "smallrye-in-memory",
                "mp.messaging.outgoing.predictions-out.connector", "smallrye-in-memory",
                "kafka.bootstrap.servers", "127.0.0.1:1",
                "fmnist.inference.snapshot-retry-backoff", "10s",
                "fmnist.inference.promotion.policy", "latest"));
        overrides.putAll(more());
        return overrides;
    }

    /** Settings of a subclass's own, laid over these. */
    protected Map<String, String> more() {
        return Map.of();
    }
}
