package dev.fmnist.support.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Bearer tokens per role. Several tokens of a role are valid at once, so a token can be rotated without downtime. */
@ConfigMapping(prefix = "fmnist.auth")
public interface AuthConfig {
    /**
     * False opens every protected endpoint to everyone (a warning is logged at startup). Only for a
     * trusted network; the default keeps endpoints of a role without a token closed.
     */
    @WithDefault("true")
    boolean enabled();

    /** Tokens granting {@link Roles#ADMIN} (comma-separated); an admin token also acts as writer. None: admin endpoints refuse every request. */
    Optional<List<String>> adminTokens();

    /** Tokens granting {@link Roles#WRITER} (comma-separated). None: write endpoints refuse every request but admin tokens. */
    Optional<List<String>> writerTokens();

    /** Signed JWTs of an identity provider, accepted beside the tokens ({@link JwtVerifier}); off without a key. */
    Jwt jwt();

    /** {@code fmnist.auth.jwt.*}. */
    interface Jwt {
        /**
         * The identity provider's public key (PEM {@code PUBLIC KEY}, RSA >= 2048 bits for RS256 or EC
         * P-256 for ES256). Unset: no JWT is accepted.
         */
        Optional<String> publicKey();

        /** The {@code iss} a token must carry; required with a public key. */
        Optional<String> issuer();

        /** An {@code aud} value a token must include; unset: not checked. */
        Optional<String> audience();

        /** The claim whose values ({@code admin}, {@code writer}) are the caller's roles. */
        @WithDefault("groups")
        String rolesClaim();

        /** Tolerance for the issuer's and this host's clocks when checking {@code exp} and {@code nbf}. */
        @WithDefault("PT30S")
        java.time.Duration clockSkew();
    }
}
