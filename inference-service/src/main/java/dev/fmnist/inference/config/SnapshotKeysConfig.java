package dev.fmnist.inference.config;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** The snapshot signature keys, under {@code fmnist.snapshots.*} (shared with the trainer). */
@ConfigMapping(prefix = "fmnist.snapshots")
public interface SnapshotKeysConfig {
    /**
     * HMAC-SHA256 keys that snapshots and model-control records must be signed with: comma-separated
     * base64, at least 32 bytes each; any of them verifies (the first one signs this service's
     * model-control records). Env FMNIST_SNAPSHOTS_SIGNING_KEYS. Unset: nothing is accepted unless
     * {@code fmnist.auth.enabled=false}.
     */
    Optional<String> signingKeys();
}
