package dev.fmnist.contracts;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 keys of weight snapshots. The trainer signs with the first key; a reader accepts a
 * snapshot signed with any of them, so a key can be rotated by deploying {@code new,old} to the
 * readers, then {@code new} to the trainer, then dropping {@code old}. A snapshot that does not
 * verify did not come from a trainer holding a key, whatever the topic's ACLs are.
 *
 * <p>Keys are given as base64 text (standard or URL alphabet), at least {@link #MIN_KEY_BYTES} bytes
 * each once decoded; several are separated by commas.
 */
public final class SnapshotSigning {
    public static final String ALGORITHM = "HmacSHA256";
    public static final int MAC_BYTES = 32;
    public static final int MIN_KEY_BYTES = 32;

    private final List<SecretKeySpec> keys;

    private SnapshotSigning(List<SecretKeySpec> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no snapshot signing key given");
        }
        this.keys = List.copyOf(keys);
    }

    /** Raw keys, the first of which signs. */
    public static SnapshotSigning of(List<byte[]> rawKeys) {
        List<SecretKeySpec> specs = new ArrayList<>();
        for (byte[] k : rawKeys) {
            if (k == null || k.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("a snapshot signing key needs at least " + MIN_KEY_BYTES
                        + " bytes, got " + (k == null ? 0 : k.length));
            }
            specs.add(new SecretKeySpec(k.clone(), ALGORITHM));
        }
        return new SnapshotSigning(specs);
    }

    /**
     * Keys as configured: comma-separated base64. The message of a failure never contains key
     * material, only the position of the bad key.
     */
    public static SnapshotSigning parse(String base64Keys) {
        if (base64Keys == null || base64Keys.isBlank()) {
            throw new IllegalArgumentException("no snapshot signing key given");
        }
        List<byte[]> raw = new ArrayList<>();
        String[] parts = base64Keys.split(",");
        for (int i = 0; i < parts.length; i++) {
            String text = parts[i].strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                raw.add(text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                        ? Base64.getUrlDecoder().decode(text)
                        : Base64.getDecoder().decode(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("snapshot signing key " + (i + 1) + " is not valid base64");
            }
        }
        return of(raw);
    }

    /** The MAC of {@code data[0, length)} under the signing (first) key. */
    public byte[] sign(byte[] data, int length) {
        return mac(keys.get(0), data, length);
    }

    /** Whether {@code mac} is the MAC of {@code data[0, length)} under any of the keys (constant time per key). */
    public boolean verify(byte[] data, int length, byte[] mac) {
        boolean ok = false;
        for (SecretKeySpec key : keys) {
            ok |= MessageDigest.isEqual(mac(key, data, length), mac);
        }
        return ok;
    }

    /** A short, non-secret identifier of the signing key for logs: the first 8 hex digits of its SHA-256. */
    public String signingKeyId() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(keys.get(0).getEncoded());
            return String.format("%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "SnapshotSigning[" + keys.size() + " key(s), signing key " + signingKeyId() + "]";
    }

    private static byte[] mac(SecretKeySpec key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** A fresh random key, base64, for tools that generate one (./fmnist writes it to its state folder). */
    public static String generateKey() {
        byte[] k = new byte[MIN_KEY_BYTES];
        new java.security.SecureRandom().nextBytes(k);
        return new String(Base64.getEncoder().encode(k), StandardCharsets.US_ASCII);
    }
}
