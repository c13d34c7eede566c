package dev.fmnist.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** How the trainer signs and bounds its snapshots on {@code fmnist.snapshots}, {@code fmnist.snapshots.*}. */
@ConfigMapping(prefix = "fmnist.snapshots")
public interface SnapshotsConfig {
    /**
     * The Ed25519 private key that signs new snapshots, base64 of its 32 bytes (env
     * {@code FMNIST_SNAPSHOTS_SIGNING_KEY}); only the trainer holds it, readers get its public key. Unset:
     * the trainer refuses to train unless {@code fmnist.auth.enabled=false}.
     */
    Optional<String> signingKey();

    /**
     * Older public keys, comma-separated base64, that also verify the snapshot a run resumes from (during a
     * key rotation); the signing key's own public key always does.
     */
    Optional<String> publicKeys();

    /**
     * Versions of the model kept on the topic: publishing version v tombstones version v - retain in
     * the same transaction, so compaction bounds the topic while the newest {@code retain} versions
     * (rollback targets for inference) survive. At least 1.
     */
    @WithDefault("20")
    int retain();
}
