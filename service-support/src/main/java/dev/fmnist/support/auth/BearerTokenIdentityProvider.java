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
import java.util.Set;

/** Maps a bearer token to the roles it is configured for; an unknown token is a 401. */
@ApplicationScoped
public class BearerTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    private final BearerTokens tokens;
    private final AuthMetrics metrics;

    public BearerTokenIdentityProvider(BearerTokens tokens, AuthMetrics metrics) {
        this.tokens = tokens;
        this.metrics = metrics;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        Set<String> roles = tokens.rolesOf(request.getToken().getToken());
        if (roles.isEmpty()) {
            metrics.attempt(AuthMetrics.Outcome.INVALID);
            return Uni.createFrom().failure(new AuthenticationFailedException("not a configured bearer token"));
        }
        metrics.attempt(AuthMetrics.Outcome.VALID);
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("bearer:" + String.join("+", roles)))
                .addRoles(roles).build());
    }
}
