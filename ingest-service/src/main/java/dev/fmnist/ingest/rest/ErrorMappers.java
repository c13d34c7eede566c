package dev.fmnist.ingest.rest;

import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.ingest.images.RejectReason;
import dev.fmnist.ingest.images.RejectedInputException;
import dev.fmnist.ingest.messaging.PublishFailedException;
import dev.fmnist.ingest.service.IngestMetrics;
import dev.fmnist.ingest.service.PublishConflictException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps failures to JSON {"error": ...} answers; counts refused inputs by reason. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    private final IngestMetrics metrics;

    public ErrorMappers(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    @ServerExceptionMapper
    public Response rejected(RejectedInputException e) {
        metrics.rejected(e.reason());
        return json(e.reason().status(), new ApiError(e.getMessage(), e.entries()));
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        metrics.rejected(RejectReason.UNSUPPORTED_TYPE);
        return json(415, new ApiError("unsupported Content-Type: send image/png or image/jpeg (raw body), "
                + "multipart/form-data with a 'file' field to /api/v1/images, or application/zip to /api/v1/images/bulk"));
    }

    /** The decode budget is spent by concurrent uploads: nothing was published, retry shortly. */
    @ServerExceptionMapper
    public Response busy(DecodeBusyException e) {
        return Response.status(503).header("Retry-After", Long.toString(e.retryAfterSeconds()))
                .type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(e.getMessage() + "; nothing was published")).build();
    }

    @ServerExceptionMapper
    public Response conflict(PublishConflictException e) {
        return json(409, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response kafka(PublishFailedException e) {
        LOG.warnf("upload not published: %s", e.getMessage());
        return json(503, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return json(400, new ApiError(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = e.getMessage() == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : e.getMessage();
        return json(status, new ApiError(message));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return json(500, new ApiError("internal error: " + e.getClass().getSimpleName()));
    }

    private static Response json(int status, ApiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
