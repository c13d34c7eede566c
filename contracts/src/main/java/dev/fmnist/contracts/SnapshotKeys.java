package dev.fmnist.contracts;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Kafka keys of the records on {@link Topics#SNAPSHOTS}: one key per model <em>and version</em>,
 * {@code <model name>@<version as 19 digits>} (e.g. {@code fmnist-softmax@0000000000000000010}).
 *
 * <p>Why not the model name alone: the topic is compacted, and compaction keeps only the last record
 * of a key. Keyed by model name, one corrupt or forged record published after the last valid
 * snapshot would leave no valid snapshot once compaction ran. Keyed per version, a record can only
 * ever displace a record of the same model and version; every other version survives, so readers
 * always find the highest valid one. The trainer bounds the topic by deleting (tombstoning) versions
 * older than its retention, as part of the transaction that publishes a new one.
 */
public final class SnapshotKeys {
    private static final char SEPARATOR = '@';
    private static final int DIGITS = 19;

    private SnapshotKeys() {
    }

    /** A model's version as a snapshot key. */
    public static byte[] key(String modelName, long version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, got " + version);
        }
        return (modelName + SEPARATOR + String.format("%0" + DIGITS + "d", version)).getBytes(StandardCharsets.UTF_8);
    }

    /** A key read back: the model name and version, when it has this form. */
    public record Key(String modelName, long version) {
    }

    /** The model and version a key names; empty for any other key (legacy model-name keys, foreign records). */
    public static Optional<Key> parse(byte[] key) {
        if (key == null || key.length < DIGITS + 2) {
            return Optional.empty();
        }
        String text = new String(key, StandardCharsets.UTF_8);
        int at = text.length() - DIGITS - 1;
        if (text.charAt(at) != SEPARATOR) {
            return Optional.empty();
        }
        String digits = text.substring(at + 1);
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        long version;
        try {
            version = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return version < 1 ? Optional.empty() : Optional.of(new Key(text.substring(0, at), version));
    }

    /** Whether a key belongs to the given model (a versioned key of it, or its legacy name-only key). */
    public static boolean belongsTo(byte[] key, String modelName) {
        return parse(key).map(k -> k.modelName().equals(modelName))
                .orElseGet(() -> key != null && modelName.equals(new String(key, StandardCharsets.UTF_8)));
    }
}
