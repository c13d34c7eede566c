package dev.fmnist.inference.rest;

import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.Outcome;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a body announced larger than {@link BodyLimit} with 413 and a JSON reason, before reading
 * it. A chunked body (no Content-Length) is checked while it is read (see {@link ClassifyResource}).
 */
public class BodyLimitFilter {
    private final BodyLimit limit;
    private final InferenceMetrics metrics;

    public BodyLimitFilter(BodyLimit limit, InferenceMetrics metrics) {
        this.limit = limit;
        this.metrics = metrics;
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
        if (!limit.exceeded(announced)) {
            return null;
        }
        if (request.getUriInfo().getPath().startsWith("/api/v1/classify")) {
            metrics.rejectedRequest(ContentKind.ofHeader(request.getHeaderString(HttpHeaders.CONTENT_TYPE)),
                    Outcome.TOO_LARGE);
        }
        return ErrorMappers.json(413, limit.tooLarge(announced).getMessage());
    }
}
