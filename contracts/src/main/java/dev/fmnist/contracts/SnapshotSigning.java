package dev.fmnist.contracts;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Ed25519 keys of signed records: weight snapshots (the trainer's key pair) and model-control records
 * (inference's own key pair). Only the writer holds the private key; a reader holds public keys, so a
 * reader (the console, an inference replica) cannot forge what it verifies. A record verifies when any of
 * the public keys accepts it: a key is rotated by deploying {@code new,old} public keys to the readers,
 * then the new private key to the writer, then dropping {@code old}.
 *
 * <p>Keys are base64 (standard or URL alphabet) of the raw 32 bytes of RFC 8032: the private key is the
 * seed, the public key the encoded point. Several public keys are separated by commas.
 */
public final class SnapshotSigning {
    public static final String ALGORITHM = "Ed25519";
    public static final int SIGNATURE_BYTES = 64;
    public static final int KEY_BYTES = 32;
    /** The length of the HMAC-SHA256 signatures written before Ed25519: refused with that reason. */
    public static final int HMAC_SIGNATURE_BYTES = 32;
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), followed by the 32 key bytes. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final PrivateKey signingKey;
    private final List<PublicKey> keys;

    private SnapshotSigning(PrivateKey signingKey, List<PublicKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no public key given");
        }
        this.signingKey = signingKey;
        this.keys = List.copyOf(keys);
    }

    /** A reader's keys: comma-separated base64 public keys. The message of a failure names the key's position only. */
    public static SnapshotSigning verifier(String base64PublicKeys) {
        return new SnapshotSigning(null, publicKeys(base64PublicKeys));
    }

    /**
     * A writer's keys: the private key signs; its own public key and {@code base64PublicKeys} (may be
     * blank: older keys during a rotation) verify.
     */
    public static SnapshotSigning signer(String base64PrivateKey, String base64PublicKeys) {
        byte[] seed = decode(base64PrivateKey, "private key");
        List<PublicKey> keys = new ArrayList<>();
        keys.add(publicKey(seed));
        if (base64PublicKeys != null && !base64PublicKeys.isBlank()) {
            keys.addAll(publicKeys(base64PublicKeys));
        }
        try {
            PrivateKey key = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
            return new SnapshotSigning(key, keys);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    /** A fresh private key, base64 (tools that make one: ./fmnist writes it to its state folder). */
    public static String generatePrivateKey() {
        byte[] seed = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(seed);
        return Base64.getEncoder().encodeToString(seed);
    }

    /** The public key, base64, of a private key (what the readers of its records get). */
    public static String publicKeyOf(String base64PrivateKey) {
        byte[] encoded = publicKey(decode(base64PrivateKey, "private key")).getEncoded();
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length));
    }

    /** Whether these keys can sign (a writer's) or only verify (a reader's). */
    public boolean canSign() {
        return signingKey != null;
    }

    /** The signature of {@code data[0, length)}; only a writer's keys sign. */
    public byte[] sign(byte[] data, int length) {
        if (signingKey == null) {
            throw new IllegalStateException("these are public keys only: they verify, they cannot sign");
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(signingKey);
            s.update(data, 0, length);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " signing failed", e);
        }
    }

    /** Whether {@code signature} is a signature of {@code data[0, length)} by any of the keys. */
    public boolean verify(byte[] data, int length, byte[] signature) {
        for (PublicKey key : keys) {
            try {
                Signature s = Signature.getInstance(ALGORITHM);
                s.initVerify(key);
                s.update(data, 0, length);
                if (s.verify(signature)) {
                    return true;
                }
            } catch (GeneralSecurityException e) {
                // a malformed signature verifies with no key
            }
        }
        return false;
    }

    /** A short identifier of the first public key for logs (the signing one of a writer): 8 hex digits of its SHA-256. */
    public String keyId() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(keys.get(0).getEncoded()), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "SnapshotSigning[" + ALGORITHM + ", " + keys.size() + " public key(s), first " + keyId()
                + (canSign() ? ", signs" : ", verifies only") + "]";
    }

    private static List<PublicKey> publicKeys(String base64Keys) {
        if (base64Keys == null || base64Keys.isBlank()) {
            throw new IllegalArgumentException("no public key given");
        }
        List<PublicKey> keys = new ArrayList<>();
        String[] parts = base64Keys.split(",");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isBlank()) {
                continue;
            }
            byte[] x509 = new byte[X509_PREFIX.length + KEY_BYTES];
            System.arraycopy(X509_PREFIX, 0, x509, 0, X509_PREFIX.length);
            System.arraycopy(decode(parts[i], "public key " + (i + 1)), 0, x509, X509_PREFIX.length, KEY_BYTES);
            try {
                keys.add(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509)));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("public key " + (i + 1) + " is not an " + ALGORITHM + " key");
            }
        }
        return keys;
    }

    /** The public key of a seed: the JDK derives it when generating a key pair, here from this seed. */
    private static PublicKey publicKey(byte[] seed) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, bytes.length);
                }
            });
            return g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    private static byte[] decode(String base64, String what) {
        String text = base64 == null ? "" : base64.strip();
        byte[] raw;
        try {
            raw = text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64");
        }
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException(what + " needs " + KEY_BYTES + " bytes (raw " + ALGORITHM + ", RFC 8032), got "
                    + raw.length + (raw.length == KEY_BYTES + 16 || raw.length == KEY_BYTES + 12
                    ? ": give the last 32 bytes of the DER form" : ""));
        }
        return raw;
    }
}
