package dev.fmnist.inference.rest;

import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.support.rest.ContentLength;
import dev.fmnist.support.rest.ErrorResponses;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.OptionalLong;
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
        OptionalLong length = ContentLength.announced(request);
        if (length.isEmpty() || !limit.exceeded(length.getAsLong())) {
            return null;
        }
        long announced = length.getAsLong();
        if (request.getUriInfo().getPath().startsWith("/api/v1/classify")) {
            metrics.rejectedRequest(ContentKind.ofHeader(request.getHeaderString(HttpHeaders.CONTENT_TYPE)),
                    Outcome.TOO_LARGE);
        }
        return ErrorResponses.of(413, limit.tooLarge(announced).getMessage());
    }
}
