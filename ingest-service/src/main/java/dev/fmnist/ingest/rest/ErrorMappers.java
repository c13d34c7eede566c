package dev.fmnist.ingest.rest;

import dev.fmnist.api.ErrorBody;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.ingest.images.RejectReason;
import dev.fmnist.ingest.images.RejectedInputException;
import dev.fmnist.ingest.messaging.PublishFailedException;
import dev.fmnist.ingest.service.IngestMetrics;
import dev.fmnist.ingest.service.PublishConflictException;
import dev.fmnist.support.rest.ErrorResponses;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps ingest's own failures to the one JSON error body; counts refused inputs by reason. Unknown
 * paths, wrong methods, other HTTP errors and the unexpected are service-support's {@code HttpErrorMappers}.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

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

    /** The decode budget is spent by concurrent uploads: nothing was published, retry shortly. */
    @ServerExceptionMapper
    public Response busy(DecodeBusyException e) {
        return ErrorResponses.builder(503, new ErrorBody(e.getMessage() + "; nothing was published"))
                .header("Retry-After", Long.toString(e.retryAfterSeconds())).build();
    }

    @ServerExceptionMapper
    public Response conflict(PublishConflictException e) {
        return json(409, new ErrorBody(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response kafka(PublishFailedException e) {
        LOG.warnf("upload not published: %s", e.getMessage());
        return json(503, new ErrorBody(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return json(400, new ErrorBody(e.getMessage()));
    }

    private static Response json(int status, ErrorBody body) {
        return ErrorResponses.of(status, body);
    }
}
