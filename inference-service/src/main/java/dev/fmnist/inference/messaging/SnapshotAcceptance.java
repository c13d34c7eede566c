package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.support.snapshots.SnapshotTrust;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The accept/reject rule for one record of fmnist.snapshots, for every served model. The record's key
 * names its model ({@code <model>@<version>}, or the legacy {@code <model>}); a model not served here is
 * skipped. Whether a served model's record is trusted is the shared {@link SnapshotTrust#snapshot} (the
 * console applies the same): an untrusted one is rejected with the reason. Then serving's own rules:
 * <ul>
 *   <li><b>One family per model name.</b> A model name is its family's ({@code fmnist-cnn} is a cnn): a
 *   snapshot whose network is of another family (a cnn published under {@code fmnist-softmax}) is
 *   rejected and never served. Swapping the architecture under a name would change what every client of
 *   that name gets, its input/output metadata, its export format and its version history at once, without
 *   anyone asking; a new family is served under its own name instead, beside the old one.</li>
 *   <li>One whose version jumps more than the allowed step above the highest seen of its model is
 *   rejected (an absurd version is not obeyed).</li>
 *   <li>One whose version is not above the highest seen of its model is not newer; anything else is
 *   accepted.</li>
 * </ul>
 */
final class SnapshotAcceptance {
    static final String UNTRUSTED = InferenceMetrics.REJECTED_UNTRUSTED;
    static final String VERSION_JUMP = InferenceMetrics.REJECTED_VERSION_JUMP;
    static final String FAMILY_MISMATCH = InferenceMetrics.REJECTED_FAMILY_MISMATCH;
    static final String DIVERGED = InferenceMetrics.REJECTED_DIVERGED;

    /** What to do with a record. */
    sealed interface Decision {
    }

    record Accept(String model, WeightSnapshot snapshot) implements Decision {
    }

    record OtherModel() implements Decision {
    }

    /**
     * @param tag           the {@code reason} tag of the refusal metric
     * @param signedVersion the version, when the record is authentic but cannot be served (non-finite weights):
     *                      it is then also refused as a promotion verdict; null otherwise
     */
    record Reject(String model, String tag, String reason, Long signedVersion) implements Decision {
        Reject(String model, String tag, String reason) {
            this(model, tag, reason, null);
        }
    }

    record NotNewer(String model, WeightSnapshot snapshot) implements Decision {
    }

    private final Set<String> served;
    private final SnapshotTrust trust;
    private final long maxVersionStep;

    /** @param served the model names served ({@code fmnist-softmax}, ...) */
    SnapshotAcceptance(Set<String> served, SnapshotTrust trust, long maxVersionStep) {
        if (maxVersionStep < 1) {
            throw new IllegalArgumentException("fmnist.inference.max-version-step must be >= 1, got " + maxVersionStep);
        }
        this.served = Set.copyOf(served);
        this.trust = trust;
        this.maxVersionStep = maxVersionStep;
    }

    /** @param highestSeen the highest version seen so far of a served model name */
    Decision decide(byte[] key, byte[] value, ToLongFunction<String> highestSeen) {
        String model = modelOf(key);
        if (model == null || !served.contains(model)) {
            return new OtherModel();
        }
        SnapshotTrust.Verdict<WeightSnapshot> verdict = trust.snapshot(key, value, model);
        if (verdict instanceof SnapshotTrust.Refused<WeightSnapshot> refused) {
            return refused.signedVersion() != null
                    ? new Reject(model, DIVERGED, refused.reason(), refused.signedVersion())
                    : new Reject(model, UNTRUSTED, refused.reason());
        }
        if (!(verdict instanceof SnapshotTrust.Trusted<WeightSnapshot> trusted)) {
            return new OtherModel();
        }
        WeightSnapshot snapshot = trusted.value();
        ModelFamily expected = ModelFamily.parse(model);
        ModelFamily carried = snapshot.network().family();
        if (carried != expected) {
            return new Reject(model, FAMILY_MISMATCH, "weight snapshot: version " + snapshot.version()
                    + " carries a " + carried.id() + " network, but model '" + model + "' is a " + expected.id()
                    + " model: a model name keeps its family (publish a " + carried.id() + " as '"
                    + carried.modelName() + "')");
        }
        long highest = highestSeen.applyAsLong(model);
        if (snapshot.version() <= highest) {
            return new NotNewer(model, snapshot);
        }
        // highest is the registry's (>= 0); the subtraction cannot overflow below MAX_VERSION
        if (highest > 0 && snapshot.version() - highest > maxVersionStep) {
            return new Reject(model, VERSION_JUMP, "weight snapshot: version " + snapshot.version()
                    + " jumps more than " + maxVersionStep + " (fmnist.inference.max-version-step) above the"
                    + " highest seen version " + highest + " of '" + model + "'");
        }
        return new Accept(model, snapshot);
    }

    /** The model a snapshot key names: {@code <model>@<version>}, or a legacy key that is the model name. */
    private static String modelOf(byte[] key) {
        if (key == null) {
            return null;
        }
        return SnapshotKeys.parse(key).map(SnapshotKeys.Key::modelName)
                .orElseGet(() -> new String(key, StandardCharsets.UTF_8));
    }
}
