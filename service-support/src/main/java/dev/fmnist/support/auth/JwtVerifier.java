package dev.fmnist.support.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies a signed JWT (compact JWS) from an identity provider with one configured public key and
 * maps a claim to the service's roles, with the JDK's own {@code java.security} and no extension: it
 * sits beside the bearer tokens instead of replacing Quarkus' authentication (which
 * quarkus-smallrye-jwt or quarkus-oidc would do). Off unless a key is configured.
 *
 * <p>Accepted: {@code RS256} with an RSA key of at least 2048 bits, {@code ES256} with a P-256 key; the
 * header's {@code alg} must match the key, so {@code none} and HMAC with the public key as a secret
 * (key confusion) are refused. Checked: the signature, {@code iss} (required), {@code aud} when
 * configured, {@code exp} (required) and {@code nbf} with a small clock skew. Roles: the values of
 * the roles claim (an array or a space-separated string) that name {@link Roles#ADMIN} or
 * {@link Roles#WRITER}; admin implies writer, as for tokens.
 */
public final class JwtVerifier {
    /** Longest token looked at; identity providers' tokens are a few hundred bytes to a few KB. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PublicKey key;
    private final String algorithm;
    private final String issuer;
    private final Optional<String> audience;
    private final String rolesClaim;
    private final Duration clockSkew;
    private final Clock clock;

    /** Why a token was refused (the message names the check, never the token). */
    public static final class InvalidJwtException extends Exception {
        InvalidJwtException(String message) {
            super(message);
        }
    }

    /** The subject and the pipeline roles of an accepted token. */
    public record Verified(String subject, Set<String> roles) {
    }

    JwtVerifier(PublicKey key, String issuer, Optional<String> audience, String rolesClaim, Duration clockSkew,
                Clock clock) {
        this.key = key;
        this.algorithm = algorithmFor(key);
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("fmnist.auth.jwt.issuer is required with fmnist.auth.jwt.public-key");
        }
        this.issuer = issuer;
        this.audience = audience.filter(a -> !a.isBlank());
        this.rolesClaim = rolesClaim;
        this.clockSkew = clockSkew;
        this.clock = clock;
    }

    /** The verifier of the configuration, or empty when no public key is configured (JWTs are then never accepted). */
    public static Optional<JwtVerifier> of(AuthConfig.Jwt config) {
        if (config.publicKey().filter(k -> !k.isBlank()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JwtVerifier(parsePublicKey(config.publicKey().get()), config.issuer().orElse(null),
                config.audience(), config.rolesClaim(), config.clockSkew(), Clock.systemUTC()));
    }

    /** A PEM {@code PUBLIC KEY} block or its base64 body (X.509 SubjectPublicKeyInfo), RSA or EC. */
    static PublicKey parsePublicKey(String text) {
        String body = text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fmnist.auth.jwt.public-key is not a PEM public key");
        }
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the other key type
            }
        }
        throw new IllegalArgumentException("fmnist.auth.jwt.public-key is neither an RSA nor an EC public key");
    }

    private static String algorithmFor(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("fmnist.auth.jwt.public-key: RSA keys need at least 2048 bits");
            }
            return "RS256";
        }
        if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
            return "ES256";
        }
        throw new IllegalArgumentException("fmnist.auth.jwt.public-key: only RSA (RS256) and EC P-256 (ES256) keys");
    }

    /** Whether the text has the shape of a compact JWS (three base64url parts), so it is worth verifying. */
    public static boolean looksLikeJwt(String token) {
        return token.length() <= MAX_TOKEN_CHARS && token.chars().filter(c -> c == '.').count() == 2;
    }

    /** Verifies the token and returns its subject and roles. */
    public Verified verify(String token) throws InvalidJwtException {
        if (!looksLikeJwt(token)) {
            throw new InvalidJwtException("not a compact JWS");
        }
        String[] parts = token.split("\\.", -1);
        JsonNode header = json(parts[0], "header");
        if (!algorithm.equals(header.path("alg").asText())) {
            throw new InvalidJwtException("alg must be " + algorithm);
        }
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (!verifySignature(signed, decode(parts[2], "signature"))) {
            throw new InvalidJwtException("signature does not verify");
        }
        JsonNode claims = json(parts[1], "claims");
        if (!issuer.equals(claims.path("iss").asText(null))) {
            throw new InvalidJwtException("issuer is not " + issuer);
        }
        if (audience.isPresent() && !strings(claims.path("aud")).contains(audience.get())) {
            throw new InvalidJwtException("audience does not include " + audience.get());
        }
        Instant now = clock.instant();
        JsonNode exp = claims.path("exp");
        if (!exp.isNumber() || now.minus(clockSkew).isAfter(Instant.ofEpochSecond(exp.asLong()))) {
            throw new InvalidJwtException(exp.isNumber() ? "expired" : "no exp claim");
        }
        JsonNode nbf = claims.path("nbf");
        if (nbf.isNumber() && now.plus(clockSkew).isBefore(Instant.ofEpochSecond(nbf.asLong()))) {
            throw new InvalidJwtException("not valid yet");
        }
        Set<String> roles = new LinkedHashSet<>();
        for (String value : strings(claims.path(rolesClaim))) {
            if (value.equals(Roles.ADMIN) || value.equals(Roles.WRITER)) {
                roles.add(value);
            }
        }
        if (roles.contains(Roles.ADMIN)) {
            roles.add(Roles.WRITER);
        }
        return new Verified(claims.path("sub").asText("?"), Set.copyOf(roles));
    }

    private boolean verifySignature(byte[] signed, byte[] signature) throws InvalidJwtException {
        try {
            // ES256 signatures are R||S (IEEE P1363), not DER
            Signature s = Signature.getInstance(
                    algorithm.equals("RS256") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
            s.initVerify(key);
            s.update(signed);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new InvalidJwtException("signature does not verify");
        }
    }

    /** A string claim or an array of strings (also a space-separated string, as OAuth's scope). */
    private static Set<String> strings(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        if (node.isTextual()) {
            for (String s : node.asText().split(" ")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> {
                if (n.isTextual()) {
                    out.add(n.asText());
                }
            });
        }
        return out;
    }

    private static JsonNode json(String part, String what) throws InvalidJwtException {
        try {
            JsonNode node = JSON.readTree(decode(part, what));
            if (node == null || !node.isObject()) {
                throw new InvalidJwtException(what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new InvalidJwtException(what + " is not JSON");
        }
    }

    private static byte[] decode(String part, String what) throws InvalidJwtException {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new InvalidJwtException(what + " is not base64url");
        }
    }
}
