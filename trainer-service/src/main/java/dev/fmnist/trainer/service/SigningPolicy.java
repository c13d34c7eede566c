package dev.fmnist.trainer.service;

import dev.fmnist.contracts.SnapshotSigning;
import java.util.Optional;

/**
 * Which key signs the trainer's snapshots (Ed25519: the private key is the trainer's alone). Secure by default: no key means no training (a reader
 * with keys would reject every snapshot, and one without could be fed forgeries), unless
 * authentication is explicitly disabled.
 */
final class SigningPolicy {
    private SigningPolicy() {
    }

    /**
     * @return the keys, or empty when unsigned snapshots are allowed ({@code fmnist.auth.enabled=false})
     * @throws IllegalArgumentException with the reason (never key material) when training must not start
     */
    static Optional<SnapshotSigning> resolve(Optional<String> signingKey, Optional<String> olderPublicKeys,
                                             boolean authEnabled) {
        if (signingKey.isPresent() && !signingKey.get().isBlank()) {
            try {
                return Optional.of(SnapshotSigning.signer(signingKey.get(), olderPublicKeys.orElse(null)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fmnist.snapshots.signing-key / public-keys: " + e.getMessage());
            }
        }
        if (authEnabled) {
            throw new IllegalArgumentException("no snapshot signing key configured (fmnist.snapshots.signing-key, env "
                    + "FMNIST_SNAPSHOTS_SIGNING_KEY); refusing to publish unsigned snapshots. "
                    + "fmnist.auth.enabled=false allows them");
        }
        return Optional.empty();
    }
}
