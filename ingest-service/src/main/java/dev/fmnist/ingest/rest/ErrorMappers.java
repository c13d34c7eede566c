package dev.fmnist.ingest.rest;

import dev.fmnist.api.ErrorBody;
import dev.fmnist.ingest.images.RejectReason;
import dev.fmnist.ingest.images.RejectedInputException;
import dev.fmnist.ingest.service.IngestMetrics;
import dev.fmnist.support.rest.ErrorResponses;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps ingest's own failures to the one JSON error body; counts refused inputs by reason. Refusals
 * ({@code ApiException}: a publication already running, Kafka not taking an upload), a spent decode budget,
 * unknown paths, wrong methods, other HTTP errors and the unexpected are service-support's {@code HttpErrorMappers}.
 */
public class ErrorMappers {
    private final IngestMetrics metrics;

    public ErrorMappers(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    @ServerExceptionMapper
    public Response rejected(RejectedInputException e) {
        metrics.rejected(e.reason());
        return json(e.reason().status(), new ErrorBody(e.getMessage(),
                e.entries().stream().map(x -> new ErrorBody.Entry(x.entry(), x.error())).toList()));
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        metrics.rejected(RejectReason.UNSUPPORTED_TYPE);
        return json(415, new ErrorBody("unsupported Content-Type: send image/png or image/jpeg (raw body), "
                + "multipart/form-data with a 'file' field to /api/v1/images, or application/zip to /api/v1/images/bulk"));
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return json(400, new ErrorBody(e.getMessage()));
    }

    private static Response json(int status, ErrorBody body) {
        return ErrorResponses.of(status, body);
    }
}
