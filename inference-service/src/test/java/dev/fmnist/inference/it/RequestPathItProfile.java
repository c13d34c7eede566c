package dev.fmnist.inference.it;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Its own Quarkus start (and broker): the request-path IT must not share state with InferenceServiceIT.
 * Serves softmax (the default) and cnn, so requests naming a model are routed on the real broker.
 */
public class RequestPathItProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fmnist.inference.snapshot-poll-timeout", "PT0.1S",
                "fmnist.inference.snapshot-retry-backoff", "PT0.2S",
                "fmnist.inference.dead-letter-backoff", "PT0.1S",
                "fmnist.inference.models", "softmax,cnn",
                // a published snapshot serves at once (latest): the request path is under test, not promotion
                "fmnist.inference.promotion.policy", "latest");
    }
}
