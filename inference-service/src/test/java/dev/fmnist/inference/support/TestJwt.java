package dev.fmnist.inference.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * An identity provider for the tests: an RSA key pair made once per test JVM (kept in system
 * properties, the one store a Quarkus test profile and the test class share across their class
 * loaders) and RS256 JWTs signed with it.
 */
public final class TestJwt {
    public static final String ISSUER = "https://idp.test/fmnist";
    private static final String PRIVATE = "fmnist.test.jwt.private";
    private static final String PUBLIC = "fmnist.test.jwt.public";

    private TestJwt() {
    }

    /** The public key, PEM, for fmnist.auth.jwt.public-key. */
    public static synchronized String publicKeyPem() {
        if (System.getProperty(PUBLIC) == null) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                KeyPair pair = g.generateKeyPair();
                System.setProperty(PRIVATE, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
                System.setProperty(PUBLIC, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return "-----BEGIN PUBLIC KEY-----\n" + System.getProperty(PUBLIC) + "\n-----END PUBLIC KEY-----";
    }

    /** A token of subject "alice" with these groups, valid for five minutes, signed with {@code key} (null: the test IdP's). */
    public static String token(String groupsJson, PrivateKey key) {
        publicKeyPem();
        String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
        String claims = b64("{\"iss\":\"" + ISSUER + "\",\"sub\":\"alice\",\"exp\":"
                + Instant.now().plusSeconds(300).getEpochSecond() + ",\"groups\":" + groupsJson + "}");
        try {
            PrivateKey signer = key != null ? key : KeyFactory.getInstance("RSA").generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(System.getProperty(PRIVATE))));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(signer);
            s.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key pair the services do not trust. */
    public static PrivateKey otherKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
