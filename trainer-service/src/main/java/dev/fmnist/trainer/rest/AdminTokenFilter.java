package dev.fmnist.trainer.rest;

import dev.fmnist.trainer.config.TrainerConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/** Checks {@code Authorization: Bearer <token>} on {@link AdminOnly} endpoints when a token is configured. */
@Provider
@AdminOnly
public class AdminTokenFilter implements ContainerRequestFilter {
    private static final String PREFIX = "Bearer ";
    // looked up per request: JAX-RS providers are built at static init, before runtime config exists
    private final jakarta.inject.Provider<TrainerConfig> config;

    public AdminTokenFilter(jakarta.inject.Provider<TrainerConfig> config) {
        this.config = config;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String expected = config.get().adminToken().filter(t -> !t.isBlank()).orElse(null);
        if (expected == null) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String given = header != null && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? header.substring(PREFIX.length()).trim() : null;
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", given == null
                            ? "this endpoint needs Authorization: Bearer <admin token>"
                            : "the bearer token is not the admin token"))
                    .build());
        }
    }
}
