package dev.fmnist.inference.rest;

import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.Outcome;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body announced larger than {@code fmnist.inference.max-body-bytes} with 413 and a JSON
 * reason, before reading it. (A chunked body without Content-Length is cut off by
 * {@code quarkus.http.limits.max-body-size}.)
 */
public class BodyLimitFilter {
    private final long maxBytes;
    private final ClassificationService service;

    public BodyLimitFilter(InferenceConfig config, ClassificationService service) {
        this.maxBytes = config.maxBodyBytes();
        this.service = service;
    }

    @ServerRequestFilter(preMatching = true)
    public Response checkLength(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return null;
        }
        long announced;
        try {
            announced = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return ErrorMappers.json(400, "invalid Content-Length " + length);
        }
        if (announced <= maxBytes) {
            return null;
        }
        if (request.getUriInfo().getPath().startsWith("/api/v1/classify")) {
            service.countRefused(request.getHeaderString(HttpHeaders.CONTENT_TYPE), Outcome.TOO_LARGE);
        }
        return ErrorMappers.json(413, "request body of " + announced + " bytes exceeds the limit of " + maxBytes);
    }
}
