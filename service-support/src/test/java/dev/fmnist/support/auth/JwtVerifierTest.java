package dev.fmnist.support.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** JWTs signed in the test with keys made in the test, as an identity provider would sign them. */
class JwtVerifierTest {
    private static final String ISSUER = "https://idp.example/realms/fmnist";
    /** smallrye-jwt checks exp and nbf against the system clock. */
    private static final Instant NOW = Instant.now();
    private static final KeyPair RSA = pair("RSA");
    private static final KeyPair EC = pair("EC");

    static AuthConfig.Jwt jwtConfig(String pem) {
        return new AuthConfig.Jwt() {
            @Override public Optional<String> publicKey() { return Optional.ofNullable(pem); }
            @Override public Optional<String> issuer() { return Optional.of(ISSUER); }
            @Override public Optional<String> audience() { return Optional.of("fmnist"); }
            @Override public String rolesClaim() { return "groups"; }
            @Override public Duration clockSkew() { return Duration.ofSeconds(30); }
        };
    }

    /** The PEM an operator would configure in fmnist.auth.jwt.public-key. */
    static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static KeyPair pair(String type) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(type);
            if (type.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A compact JWS: {@code alg} in the header, signed with {@code key} by the JDK algorithm {@code jdk}. */
    static String sign(String alg, String claims, PrivateKey key, String jdk) {
        String input = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims);
        try {
            Signature s = Signature.getInstance(jdk);
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String claims(String groups, long exp) {
        return "{\"iss\":\"" + ISSUER + "\",\"sub\":\"alice\",\"aud\":[\"fmnist\"],\"exp\":" + exp + ",\"groups\":" + groups + "}";
    }

    private static JwtVerifier verifier(KeyPair pair) {
        AuthConfig.Jwt c = jwtConfig(pem(pair));
        return new JwtVerifier(JwtVerifier.parsePublicKey(c.publicKey().get()), c.issuer().get(), c.audience(),
                c.rolesClaim(), c.clockSkew());
    }

    private static final long LATER = NOW.plusSeconds(300).getEpochSecond();

    @Test
    void anRs256TokenWithTheAdminGroupGrantsAdminAndWriter() throws Exception {
        String token = sign("RS256", claims("[\"admin\",\"staff\"]", LATER), RSA.getPrivate(), "SHA256withRSA");
        JwtVerifier.Verified v = verifier(RSA).verify(token);
        assertEquals("alice", v.subject());
        assertEquals(Set.of(Roles.ADMIN, Roles.WRITER), v.roles());
    }

    @Test
    void anEs256TokenWithTheWriterGroupGrantsWriterOnly() throws Exception {
        String token = sign("ES256", claims("\"writer other\"", LATER), EC.getPrivate(), "SHA256withECDSAinP1363Format");
        assertEquals(Set.of(Roles.WRITER), verifier(EC).verify(token).roles());
    }

    @Test
    void forgedExpiredOrMisaddressedTokensAreRefused() {
        JwtVerifier v = verifier(RSA);
        String good = claims("[\"admin\"]", LATER);
        KeyPair other = pair("RSA");
        assertThrows(JwtVerifier.InvalidJwtException.class,
                () -> v.verify(sign("RS256", good, other.getPrivate(), "SHA256withRSA")), "another key");
        assertThrows(JwtVerifier.InvalidJwtException.class,
                () -> v.verify(sign("RS256", claims("[\"admin\"]", NOW.minusSeconds(60).getEpochSecond()),
                        RSA.getPrivate(), "SHA256withRSA")), "expired");
        assertThrows(JwtVerifier.InvalidJwtException.class, () -> v.verify(sign("RS256",
                good.replace(ISSUER, "https://evil.example"), RSA.getPrivate(), "SHA256withRSA")), "issuer");
        assertThrows(JwtVerifier.InvalidJwtException.class, () -> v.verify(sign("RS256",
                good.replace("[\"fmnist\"]", "[\"other\"]"), RSA.getPrivate(), "SHA256withRSA")), "audience");
        assertThrows(JwtVerifier.InvalidJwtException.class, () -> v.verify(sign("RS256",
                good.replace(",\"exp\":" + LATER, ""), RSA.getPrivate(), "SHA256withRSA")), "no exp");
        // alg none, and HS256 keyed with the public key's bytes (the key-confusion attack)
        String unsigned = b64("{\"alg\":\"none\"}") + "." + b64(good) + ".";
        assertThrows(JwtVerifier.InvalidJwtException.class, () -> v.verify(unsigned), "alg none");
        assertThrows(JwtVerifier.InvalidJwtException.class, () -> v.verify(hs256(good, pem(RSA))), "HS256 confusion");
        String token = sign("RS256", good, RSA.getPrivate(), "SHA256withRSA");
        String tampered = token.substring(0, token.indexOf('.') + 1) + b64(good.replace("admin", "admin\",\"x"))
                + token.substring(token.lastIndexOf('.'));
        assertThrows(JwtVerifier.InvalidJwtException.class, () -> v.verify(tampered), "claims changed after signing");
    }

    @Test
    void aTokenWithoutAPipelineRoleGrantsNothing() throws Exception {
        String token = sign("RS256", claims("[\"staff\"]", LATER), RSA.getPrivate(), "SHA256withRSA");
        assertTrue(verifier(RSA).verify(token).roles().isEmpty());
    }

    @Test
    void withoutAConfiguredKeyThereIsNoVerifierAndAWeakKeyIsRefused() throws Exception {
        assertFalse(JwtVerifier.of(jwtConfig(null)).isPresent());
        assertFalse(JwtVerifier.of(jwtConfig(" ")).isPresent());
        assertTrue(JwtVerifier.of(jwtConfig(pem(EC))).isPresent());
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.of(jwtConfig(pem(g.generateKeyPair()))));
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.of(jwtConfig("not a key")));
    }

    private static String hs256(String claims, String secret) {
        String input = b64("{\"alg\":\"HS256\"}") + "." + b64(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
