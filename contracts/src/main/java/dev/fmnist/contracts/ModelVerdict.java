package dev.fmnist.contracts;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The promotion decision about one version of one model, on {@link Topics#MODEL_CONTROL} under its own key
 * {@code <model>/v<version>} ({@link #key()}), beside the per-model pin record ({@link ModelControl}, keyed by
 * model name). Compaction keeps the latest verdict per version, so a rollback replaces the promotion it undoes
 * and a replica that starts later reads the same verdicts as the ones running. Signed like pins
 * ({@link ModelControlCodec#encodeVerdict}).
 *
 * @param modelName the model ({@code fmnist-cnn})
 * @param version   the version the verdict is about
 * @param verdict   promote, refuse or roll-back
 * @param reason    why, one sentence a person can act on (at most {@link #MAX_REASON} characters)
 * @param decidedAt when (a verdict older than the one in force for the same version is a replay)
 */
public record ModelVerdict(String modelName, long version, Verdict verdict, String reason, Instant decidedAt) {
    /** Longest reason kept; a longer one is cut, so a record stays under {@link ModelControlCodec#MAX_RECORD_BYTES}. */
    public static final int MAX_REASON = 1000;
    private static final Pattern KEY = Pattern.compile("(.+)/v([0-9]{1,16})");

    public enum Verdict {
        /** It may serve (under {@code gated}, the highest promoted version serves). */
        PROMOTE,
        /** It failed a gate: it never serves unless an admin pins it. */
        REFUSE,
        /** It served and was found worse than the version before it: it serves no more unless pinned. */
        ROLL_BACK;

        /** The wire name: {@code promote}, {@code refuse}, {@code roll-back}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @throws IllegalArgumentException naming the verdicts there are */
        public static Verdict ofWire(String wire) {
            for (Verdict v : values()) {
                if (v.wire().equals(wire)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown verdict '" + wire + "': expected promote, refuse or roll-back");
        }
    }

    public ModelVerdict {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(decidedAt, "decidedAt");
        if (modelName.isBlank() || modelName.contains("/")) {
            throw new IllegalArgumentException("modelName '" + modelName + "' is blank or contains '/'");
        }
        if (version < 1 || version > WeightSnapshotCodec.MAX_VERSION) {
            throw new IllegalArgumentException("version " + version + " is out of range");
        }
        if (reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON - 1) + "\u2026";
        }
    }

    /** The record key: {@code fmnist-cnn/v12}. */
    public String key() {
        return key(modelName, version);
    }

    public static String key(String modelName, long version) {
        return modelName + "/v" + version;
    }

    /** The model and version a verdict key names, if it is one ({@code fmnist-cnn/v12}). */
    public static Optional<Key> parseKey(String key) {
        if (key == null) {
            return Optional.empty();
        }
        Matcher m = KEY.matcher(key);
        if (!m.matches()) {
            return Optional.empty();
        }
        long v = Long.parseLong(m.group(2));
        return v < 1 || v > WeightSnapshotCodec.MAX_VERSION ? Optional.empty() : Optional.of(new Key(m.group(1), v));
    }

    /** What a verdict key names. */
    public record Key(String modelName, long version) {
    }
}
