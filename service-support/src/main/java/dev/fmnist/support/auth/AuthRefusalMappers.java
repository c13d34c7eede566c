package dev.fmnist.support.auth;

import dev.fmnist.api.ErrorBody;
import dev.fmnist.support.rest.ErrorResponses;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The JSON answers of a refused protected endpoint: 401 with {@code WWW-Authenticate: Bearer} for a
 * missing or unknown token, 403 for a token without the role; each counted by outcome. The reason says
 * how to configure a token when the role has none, and never repeats the token.
 */
public class AuthRefusalMappers {
    private final AuthMetrics metrics;
    private final BearerTokens tokens;

    public AuthRefusalMappers(AuthMetrics metrics, BearerTokens tokens) {
        this.metrics = metrics;
        this.tokens = tokens;
    }

    @ServerExceptionMapper
    public Response missing(UnauthorizedException e) {
        metrics.attempt(AuthMetrics.Outcome.MISSING);
        return unauthorized("this endpoint needs Authorization: Bearer <token>" + unconfigured());
    }

    @ServerExceptionMapper
    public Response invalid(AuthenticationFailedException e) {
        return unauthorized("the bearer token is not a configured token" + unconfigured());
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        metrics.attempt(AuthMetrics.Outcome.FORBIDDEN);
        return ErrorResponses.of(403, "the bearer token does not grant the role this endpoint needs" + unconfigured());
    }

    private String unconfigured() {
        StringBuilder hint = new StringBuilder();
        for (String role : new String[] {Roles.ADMIN, Roles.WRITER}) {
            if (!tokens.configured(role)) {
                hint.append("; no ").append(role).append(" token is configured: set fmnist.auth.").append(role)
                        .append("-tokens (env FMNIST_AUTH_").append(role.toUpperCase(java.util.Locale.ROOT))
                        .append("_TOKENS)");
            }
        }
        return hint.toString();
    }

    private static Response unauthorized(String reason) {
        return ErrorResponses.builder(401, new ErrorBody(reason)).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
}
