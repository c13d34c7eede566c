package dev.fmnist.support.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Maps a bearer token to the roles it is configured for, or, when {@code fmnist.auth.jwt.public-key}
 * is set and the token is a JWT that key verifies, to the roles its claim names; anything else is a 401.
 */
@ApplicationScoped
public class BearerTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    private static final Logger LOG = Logger.getLogger(BearerTokenIdentityProvider.class);
    private final BearerTokens tokens;
    private final AuthMetrics metrics;
    private final Optional<JwtVerifier> jwt;

    public BearerTokenIdentityProvider(BearerTokens tokens, AuthMetrics metrics, AuthConfig config) {
        this.tokens = tokens;
        this.metrics = metrics;
        this.jwt = JwtVerifier.of(config.jwt());
        jwt.ifPresent(j -> LOG.info("signed JWTs are accepted beside the bearer tokens (fmnist.auth.jwt.*)"));
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String token = request.getToken().getToken();
        Set<String> roles = tokens.rolesOf(token);
        String principal = "bearer:" + String.join("+", roles);
        if (roles.isEmpty() && jwt.isPresent() && JwtVerifier.looksLikeJwt(token)) {
            try {
                JwtVerifier.Verified verified = jwt.get().verify(token);
                roles = verified.roles();
                principal = "jwt:" + verified.subject();
            } catch (JwtVerifier.InvalidJwtException e) {
                LOG.debugf("JWT refused: %s", e.getMessage());
            }
        }
        if (roles.isEmpty()) {
            metrics.attempt(AuthMetrics.Outcome.INVALID);
            return Uni.createFrom().failure(new AuthenticationFailedException("not a configured bearer token"));
        }
        metrics.attempt(AuthMetrics.Outcome.VALID);
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(principal))
                .addRoles(roles).build());
    }
}
