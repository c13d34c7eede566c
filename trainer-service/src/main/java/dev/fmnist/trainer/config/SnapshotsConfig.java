package dev.fmnist.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** How the trainer signs and bounds its snapshots on {@code fmnist.snapshots}, {@code fmnist.snapshots.*}. */
@ConfigMapping(prefix = "fmnist.snapshots")
public interface SnapshotsConfig {
    /**
     * HMAC-SHA256 keys, comma-separated base64 (at least 32 bytes each; env
     * {@code FMNIST_SNAPSHOTS_SIGNING_KEYS}). The first signs new snapshots; all verify the snapshot
     * a run resumes from. Unset: the trainer refuses to train unless {@code fmnist.auth.enabled=false}.
     */
    Optional<String> signingKeys();

    /**
     * Versions of the model kept on the topic: publishing version v tombstones version v - retain in
     * the same transaction, so compaction bounds the topic while the newest {@code retain} versions
     * (rollback targets for inference) survive. At least 1.
     */
    @WithDefault("20")
    int retain();
}
