package dev.fmnist.support.snapshots;

import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.ModelControl;
import dev.fmnist.contracts.ModelControlCodec;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.contracts.NonFiniteWeightsException;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.WireFormatException;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.kafka.TopicTail;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The one reader of the signed topics, {@code fmnist.snapshots} and {@code fmnist.model-control}: it
 * follows them read committed ({@link #follow}; their writers publish in transactions, so an aborted
 * record, e.g. a fenced trainer's snapshot, is never seen) and decides which records to trust
 * ({@link #snapshot}, {@link #control}). Inference (which serves them) and the console (which shows
 * them) apply the same rule.
 *
 * <p>Keys are Ed25519 ({@link SnapshotSigning}); a reader holds public keys only, so it cannot forge what
 * it trusts. Snapshots: {@code fmnist.snapshots.public-keys} (the trainer's). Model control:
 * {@code fmnist.model-control.signing-key} (inference's private key, which also signs its pins) and
 * {@code fmnist.model-control.public-keys} (older keys during a rotation). With no key for a topic, nothing
 * on it is trusted (secure by default) unless {@code fmnist.auth.enabled=false}, which accepts unsigned
 * records. A CDI bean that only services injecting it get; a reader calls {@link #report} at startup.
 *
 * <p>Alerts on {@code fmnist.alerts} ({@link #alert}, {@link #encode(Alert)}) are signed with the model-control
 * keys too: inference signs them, the console verifies them with the public half
 * ({@code fmnist.model-control.public-keys}), so a forged "promoted", "rolled-back" or "drift" never shows.
 */
@ApplicationScoped
public class SnapshotTrust {
    private static final Logger LOG = Logger.getLogger(SnapshotTrust.class);
    private final Keys snapshots;
    private final Keys control;

    /** What a record of a signed topic is to a reader of one model. */
    public sealed interface Verdict<T> {
    }

    /** Decoded, its signature verified (or unsigned records accepted), its key naming its model (and version). */
    public record Trusted<T>(T value) implements Verdict<T> {
    }

    /**
     * A tombstone (null value) of a verdict key of this model: the verdict is deleted from the topic because it can
     * no longer matter. A tombstone cannot be signed, so a reader applies it only where its own rule agrees.
     */
    public record Deleted<T>(long version) implements Verdict<T> {
    }

    /** A record of another model: not this reader's business, skipped silently. */
    public record OtherModel<T>() implements Verdict<T> {
    }

    /**
     * Refused, with the reason (never key material): unsigned, forged, corrupt, mislabelled, or no key configured.
     *
     * @param signedVersion the version when the record is authentic (its signature verified, its key names this
     *                      model and that version) and refused for what it holds (non-finite weights: a diverged
     *                      run), so a reader may record a refusal of that version; null for any other refusal
     */
    public record Refused<T>(String reason, Long signedVersion) implements Verdict<T> {
        public Refused(String reason) {
            this(reason, null);
        }
    }

    /** One topic's keys: these, or none and whether unsigned records are accepted. */
    private record Keys(SnapshotSigning signing, boolean acceptUnsigned, String property) {
        Keys {
            acceptUnsigned = signing == null && acceptUnsigned;
        }

        boolean refusesAll() {
            return signing == null && !acceptUnsigned;
        }
    }

    @Inject
    public SnapshotTrust(@ConfigProperty(name = "fmnist.snapshots.public-keys") Optional<String> snapshotKeys,
                         @ConfigProperty(name = "fmnist.model-control.signing-key") Optional<String> controlSigningKey,
                         @ConfigProperty(name = "fmnist.model-control.public-keys") Optional<String> controlKeys,
                         @ConfigProperty(name = "fmnist.auth.enabled", defaultValue = "true") boolean authEnabled) {
        this(snapshotKeys.filter(k -> !k.isBlank()).map(k -> parse("fmnist.snapshots.public-keys",
                        () -> SnapshotSigning.verifier(k))).orElse(null),
                controlSigningKey.filter(k -> !k.isBlank()).map(k -> parse("fmnist.model-control.signing-key",
                        () -> SnapshotSigning.signer(k, controlKeys.orElse(null))))
                        .or(() -> controlKeys.filter(k -> !k.isBlank()).map(k -> parse("fmnist.model-control.public-keys",
                                () -> SnapshotSigning.verifier(k))))
                        .orElse(null),
                !authEnabled);
    }

    private SnapshotTrust(SnapshotSigning snapshots, SnapshotSigning control, boolean acceptUnsigned) {
        this.snapshots = new Keys(snapshots, acceptUnsigned, "fmnist.snapshots.public-keys");
        this.control = new Keys(control, acceptUnsigned, "fmnist.model-control.signing-key");
    }

    /**
     * A trust without configuration (tests, tools): these keys per topic (null = none), and whether a
     * topic without keys accepts unsigned records.
     */
    public static SnapshotTrust of(SnapshotSigning snapshots, SnapshotSigning control, boolean acceptUnsigned) {
        return new SnapshotTrust(snapshots, control, acceptUnsigned);
    }

    private static SnapshotSigning parse(String property, java.util.function.Supplier<SnapshotSigning> keys) {
        try {
            return keys.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage());
        }
    }

    /** Follows a signed topic from the beginning, read committed ({@link #followerSettings}). */
    public TopicTail follow(KafkaClientFactory kafka, String name, String topic, Map<String, Object> settings,
                            Runnable prepare, Duration pollTimeout, Duration retryBackoff, TopicTail.Handler handler) {
        return new TopicTail(name, topic, kafka, followerSettings(settings), prepare, pollTimeout, retryBackoff, handler);
    }

    /**
     * The consumer settings of a follower of a signed topic: the committed-reader profile
     * ({@link KafkaClientFactory#COMMITTED_CONSUMER}: no aborted record is ever seen) over its own.
     */
    public static Map<String, Object> followerSettings(Map<String, Object> settings) {
        Map<String, Object> p = new java.util.HashMap<>(settings);
        p.putAll(KafkaClientFactory.COMMITTED_CONSUMER);
        return p;
    }

    /**
     * Says once, at a reader's startup, what it trusts on fmnist.snapshots (and on fmnist.model-control
     * when {@code readsControl}).
     *
     * @param refusingAll what it means for this reader that every snapshot is refused (no key configured)
     */
    public void report(boolean readsControl, String refusingAll) {
        report(snapshots, "snapshots", refusingAll);
        if (readsControl) {
            report(control, "model-control records", "no pin or rollback can be made or followed");
        }
    }

    /** Says once, at a reader's startup, what it trusts on fmnist.alerts (the model-control keys). */
    public void reportAlerts(String refusingAll) {
        report(new Keys(control.signing(), control.acceptUnsigned(), "fmnist.model-control.public-keys"),
                "alerts (fmnist.alerts)", refusingAll);
    }

    private static void report(Keys keys, String what, String refusingAll) {
        if (keys.signing() != null) {
            LOG.infof("%s must carry an Ed25519 signature; first key %s", what, keys.signing().keyId());
        } else if (keys.acceptUnsigned()) {
            LOG.warnf("fmnist.auth.enabled=false and no %s: UNSIGNED %s are accepted; anyone who can write to "
                    + "Kafka can replace the model", keys.property(), what);
        } else {
            LOG.errorf("no key configured for %s (%s): every one is refused, %s", what, keys.property(), refusingAll);
        }
    }

    /**
     * The rule for one record of fmnist.snapshots read by a reader of {@code modelName}. A record whose
     * key does not belong to the model ({@link SnapshotKeys#belongsTo}) or a tombstone is another model's
     * business. Refused: any record when no key is configured; one that does not decode (a tombstone,
     * checksum, shape, values) or whose signature is missing, HMAC-SHA256 (before Ed25519) or does not verify; one whose key
     * names another model or version than its content.
     */
    public Verdict<WeightSnapshot> snapshot(byte[] key, byte[] value, String modelName) {
        if (!SnapshotKeys.belongsTo(key, modelName)) {
            return new OtherModel<>();
        }
        if (snapshots.refusesAll()) {
            return new Refused<>("weight snapshot: no public key configured (fmnist.snapshots.public-keys), "
                    + "no snapshot is trusted");
        }
        WeightSnapshot s;
        Optional<SnapshotKeys.Key> versioned = SnapshotKeys.parse(key);
        String keyModel = versioned.map(SnapshotKeys.Key::modelName).orElseGet(() -> new String(key, StandardCharsets.UTF_8));
        try {
            s = WeightSnapshotCodec.decode(value, snapshots.signing());
        } catch (NonFiniteWeightsException e) {
            boolean named = e.modelName().equals(keyModel)
                    && versioned.map(k -> k.version() == e.version()).orElse(true);
            return new Refused<>(e.getMessage(), named ? e.version() : null);
        } catch (WireFormatException e) {
            return new Refused<>(e.getMessage());
        }
        if (!s.modelName().equals(keyModel)) {
            return new Refused<>("weight snapshot: record key '" + keyModel + "' does not match model name '"
                    + s.modelName() + "'");
        }
        if (versioned.isPresent() && versioned.get().version() != s.version()) {
            return new Refused<>("weight snapshot: record key names version " + versioned.get().version()
                    + " but the snapshot is version " + s.version());
        }
        return new Trusted<>(s);
    }

    /** The rule for one record of fmnist.model-control: this model's, signed (or unsigned accepted), keyed by its model. */
    public Verdict<ModelControl> control(byte[] key, byte[] value, String modelName) {
        String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (k != null && !k.equals(modelName)) {
            return new OtherModel<>();
        }
        if (control.refusesAll()) {
            return new Refused<>("model control: no key is configured (fmnist.model-control.signing-key), every "
                    + "record is refused");
        }
        ModelControl c;
        try {
            c = ModelControlCodec.decode(value, control.signing());
        } catch (WireFormatException e) {
            return new Refused<>(e.getMessage());
        }
        if (!c.modelName().equals(k)) {
            return new Refused<>("model control: record for '" + c.modelName() + "' under key '" + k + "'");
        }
        return new Trusted<>(c);
    }

    /**
     * The rule for a verdict record of fmnist.model-control ({@link ModelVerdict}, key {@code <model>/v<version>}):
     * this model's, signed with the model-control keys (or unsigned accepted), its content naming the model and
     * version of its key; a tombstone of such a key is {@link Deleted} (a pin's tombstone, which nothing writes, is
     * refused by {@link #control} as a record without a value).
     */
    public Verdict<ModelVerdict> verdict(byte[] key, byte[] value, String modelName) {
        Optional<ModelVerdict.Key> k = ModelVerdict.parseKey(key == null ? null : new String(key, StandardCharsets.UTF_8));
        if (k.isEmpty() || !k.get().modelName().equals(modelName)) {
            return new OtherModel<>();
        }
        if (value == null) {
            return new Deleted<>(k.get().version());
        }
        if (control.refusesAll()) {
            return new Refused<>("model control: no key is configured (fmnist.model-control.signing-key), every "
                    + "record is refused");
        }
        ModelVerdict v;
        try {
            v = ModelControlCodec.decodeVerdict(value, control.signing());
        } catch (WireFormatException e) {
            return new Refused<>(e.getMessage());
        }
        if (!v.modelName().equals(modelName) || v.version() != k.get().version()) {
            return new Refused<>("model control: verdict on '" + v.key() + "' under key '" + k.get().modelName() + "/v"
                    + k.get().version() + "'");
        }
        return new Trusted<>(v);
    }

    /**
     * The rule for one record of fmnist.alerts: decoded, its signature verified with the model-control keys
     * (unsigned alerts accepted only with no key and auth off).
     *
     * @throws AlertCodec.RefusedAlertException with why ({@link AlertCodec.Refusal#NO_KEY} when no key is
     *                                          configured and auth is on)
     */
    public Alert alert(byte[] value) {
        if (control.refusesAll()) {
            throw new AlertCodec.RefusedAlertException(AlertCodec.Refusal.NO_KEY, "no model-control key is configured "
                    + "(fmnist.model-control.public-keys), every alert is refused");
        }
        return AlertCodec.decode(value, control.signing());
    }

    /**
     * An alert record, signed with {@code fmnist.model-control.signing-key} when this service holds it; unsigned
     * otherwise (a reader with keys refuses it: an alert is a report, so its writer does not fail for want of a key).
     */
    public byte[] encode(Alert a) {
        SnapshotSigning signing = control.signing();
        return AlertCodec.encode(a, signing != null && signing.canSign() ? signing : null);
    }

    /** Whether {@link #encode(Alert)} signs (this service holds the model-control private key). */
    public boolean signsAlerts() {
        return control.signing() != null && control.signing().canSign();
    }

    /**
     * A model-control record, signed with {@code fmnist.model-control.signing-key} (unsigned when none is
     * configured and auth is disabled).
     *
     * @throws IllegalStateException when this service holds no key to sign with
     */
    public byte[] encode(ModelControl c) {
        requireSigner();
        return ModelControlCodec.encode(c, control.signing());
    }

    /** A verdict record, signed like {@link #encode(ModelControl)}. @throws IllegalStateException without a key */
    public byte[] encode(ModelVerdict v) {
        requireSigner();
        return ModelControlCodec.encodeVerdict(v, control.signing());
    }

    private void requireSigner() {
        if (control.signing() == null ? !control.acceptUnsigned() : !control.signing().canSign()) {
            throw new IllegalStateException("model control is refused: no signing key is configured "
                    + "(fmnist.model-control.signing-key)");
        }
    }
}
