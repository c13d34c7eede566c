package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.inference.config.SnapshotKeysConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which snapshots and model-control records this service trusts: the policy in one place. With keys
 * configured, only records one of them verifies; with none, nothing (secure by default) unless
 * {@code fmnist.auth.enabled=false}, which accepts unsigned records and says so at startup.
 */
@ApplicationScoped
public class SnapshotTrust {
    private static final Logger LOG = Logger.getLogger(SnapshotTrust.class);
    private final SnapshotSigning signing;
    private final boolean acceptUnsigned;

    @Inject
    public SnapshotTrust(SnapshotKeysConfig keys, @ConfigProperty(name = "fmnist.auth.enabled", defaultValue = "true")
            boolean authEnabled) {
        this.signing = keys.signingKeys().filter(k -> !k.isBlank()).map(SnapshotSigning::parse).orElse(null);
        this.acceptUnsigned = signing == null && !authEnabled;
    }

    private SnapshotTrust(SnapshotSigning signing, boolean acceptUnsigned) {
        this.signing = signing;
        this.acceptUnsigned = signing == null && acceptUnsigned;
    }

    /** A trust without configuration (tests, tools): these keys, or none and whether unsigned is accepted. */
    public static SnapshotTrust of(SnapshotSigning signing, boolean acceptUnsigned) {
        return new SnapshotTrust(signing, acceptUnsigned);
    }

    void report(@Observes StartupEvent event) {
        if (signing != null) {
            LOG.infof("snapshots and model-control records must be signed; signing key %s", signing.signingKeyId());
        } else if (acceptUnsigned) {
            LOG.warn("fmnist.auth.enabled=false and no fmnist.snapshots.signing-keys: UNSIGNED snapshots and "
                    + "model-control records are accepted; anyone who can write to Kafka can replace the model");
        } else {
            LOG.error("no snapshot signing key configured (fmnist.snapshots.signing-keys / "
                    + "FMNIST_SNAPSHOTS_SIGNING_KEYS): every snapshot is refused, this service can serve nothing "
                    + "until a key is configured");
        }
    }

    /** The keys to verify (and sign) with; empty when none is configured. */
    public Optional<SnapshotSigning> signing() {
        return Optional.ofNullable(signing);
    }

    /** Whether unsigned records are accepted (only with no key and auth explicitly disabled). */
    public boolean acceptsUnsigned() {
        return acceptUnsigned;
    }

    /** Whether every record is refused because no key is configured. */
    public boolean refusesAll() {
        return signing == null && !acceptUnsigned;
    }
}
