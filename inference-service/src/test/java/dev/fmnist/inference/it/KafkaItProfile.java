package dev.fmnist.inference.it;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Shorter timeouts and small limits for the broker-backed tests; an admin token to check 401s; policy latest. */
public class KafkaItProfile implements QuarkusTestProfile {
    public static final String ADMIN_TOKEN = "it-admin-token";
    public static final long MAX_BODY = 4 * 1_048_576;
    /** 1000x1000 8-bit gray needs 5,000,000 bytes (raster + luma): the largest such image accepted. */
    public static final long MAX_DECODED_BYTES = 5_000_000;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fmnist.auth.admin-tokens", ADMIN_TOKEN,
                "fmnist.inference.max-body-bytes", Long.toString(MAX_BODY),
                "fmnist.inference.max-decoded-bytes", Long.toString(MAX_DECODED_BYTES),
                "fmnist.inference.snapshot-poll-timeout", "PT0.1S",
                "fmnist.inference.snapshot-retry-backoff", "PT0.2S",
                "mp.messaging.incoming.requests-in.max.poll.records", "50",
                // these ITs publish snapshots (many of untrained weights, no test accuracy) and expect each
                // to serve at once: today's behaviour, kept as the latest policy; PromotionIT covers gated
                "fmnist.inference.promotion.policy", "latest");
    }
}
