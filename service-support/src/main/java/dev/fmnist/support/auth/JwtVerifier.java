package dev.fmnist.support.auth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.KeyUtils;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies a signed JWT (compact JWS) from an identity provider with one configured public key, by
 * smallrye-jwt's {@link DefaultJWTParser}, and maps a claim to the service's roles. Used as a library
 * inside the bearer mechanism, not as quarkus-smallrye-jwt, whose own mechanism would stand beside it.
 * Off unless a key is configured.
 *
 * <p>Accepted: {@code RS256} with an RSA key of at least 2048 bits, {@code ES256} with a P-256 key; the
 * only algorithm permitted is the key's, so {@code none} and HMAC with the public key as a secret
 * (key confusion) are refused. Checked: the signature, {@code iss} (required), {@code aud} when
 * configured, {@code exp} (required) and {@code nbf} with the configured clock skew. Roles: the values
 * of the roles claim (an array or a space-separated string) that name {@link Roles#ADMIN} or
 * {@link Roles#WRITER}; admin implies writer, as for tokens.
 */
public final class JwtVerifier {
    /** Longest token looked at; identity providers' tokens are a few hundred bytes to a few KB. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;

    private final DefaultJWTParser parser;

    /** Why a token was refused (the message names the check, never the token). */
    public static final class InvalidJwtException extends Exception {
        InvalidJwtException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The subject and the pipeline roles of an accepted token. */
    public record Verified(String subject, Set<String> roles) {
    }

    JwtVerifier(PublicKey key, String issuer, Optional<String> audience, String rolesClaim, Duration clockSkew) {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("fmnist.auth.jwt.issuer is required with fmnist.auth.jwt.public-key");
        }
        JWTAuthContextInfo context = new JWTAuthContextInfo(key, issuer);
        context.setSignatureAlgorithm(Set.of(algorithmFor(key)));
        audience.filter(a -> !a.isBlank()).ifPresent(a -> context.setExpectedAudience(Set.of(a)));
        // smallrye-jwt skips the time checks altogether with a grace period of 0, so at least a second
        context.setExpGracePeriodSecs((int) Math.max(1, clockSkew.toSeconds()));
        context.setMaxTimeToLiveSecs(0L); // 0: no iat required and no lifetime cap, as identity providers differ
        context.setRequireNamedPrincipal(false);
        context.setGroupsPath(rolesClaim);
        context.setGroupsSeparator(" ");
        this.parser = new DefaultJWTParser(context);
    }

    /** The verifier of the configuration, or empty when no public key is configured (JWTs are then never accepted). */
    public static Optional<JwtVerifier> of(AuthConfig.Jwt config) {
        if (config.publicKey().filter(k -> !k.isBlank()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new JwtVerifier(parsePublicKey(config.publicKey().get()), config.issuer().orElse(null),
                config.audience(), config.rolesClaim(), config.clockSkew()));
    }

    /** A PEM {@code PUBLIC KEY} block or its base64 body (X.509 SubjectPublicKeyInfo), RSA or EC. */
    static PublicKey parsePublicKey(String pem) {
        for (SignatureAlgorithm type : new SignatureAlgorithm[] {SignatureAlgorithm.RS256, SignatureAlgorithm.ES256}) {
            try {
                return KeyUtils.decodePublicKey(pem, type);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the other key type
            }
        }
        throw new IllegalArgumentException("fmnist.auth.jwt.public-key is neither an RSA nor an EC PEM public key");
    }

    private static SignatureAlgorithm algorithmFor(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("fmnist.auth.jwt.public-key: RSA keys need at least 2048 bits");
            }
            return SignatureAlgorithm.RS256;
        }
        if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
            return SignatureAlgorithm.ES256;
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
            throw new InvalidJwtException("not a compact JWS", null);
        }
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            throw new InvalidJwtException("refused: " + e.getMessage(), e);
        }
        Set<String> roles = new LinkedHashSet<>();
        for (String value : jwt.getGroups()) {
            if (value.equals(Roles.ADMIN) || value.equals(Roles.WRITER)) {
                roles.add(value);
            }
        }
        if (roles.contains(Roles.ADMIN)) {
            roles.add(Roles.WRITER);
        }
        return new Verified(jwt.getSubject() != null ? jwt.getSubject() : "?", Set.copyOf(roles));
    }
}
