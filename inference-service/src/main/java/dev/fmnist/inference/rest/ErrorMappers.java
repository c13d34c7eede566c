package dev.fmnist.inference.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ModelConflictException;
import dev.fmnist.inference.service.ModelUnavailableException;
import dev.fmnist.inference.service.Outcome;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure becomes a JSON {@code {"error": "..."}} with a fitting status; never an HTML page. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    private static final String CLASSIFY_PATH = "/api/v1/classify";
    private final ClassificationService service;

    public ErrorMappers(ClassificationService service) {
        this.service = service;
    }

    @ServerExceptionMapper
    public Response invalidInput(InvalidInputException e) {
        int status = e.outcome() == Outcome.TOO_LARGE ? 413 : 400;
        return json(status, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unavailable(ModelUnavailableException e) {
        return Response.status(503).header("Retry-After", "5").type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorResponse(e.getMessage())).build();
    }

    /** The decode budget is spent by concurrent decodes: the image itself is fine, retry shortly. */
    @ServerExceptionMapper
    public Response busy(DecodeBusyException e) {
        return Response.status(503).header("Retry-After", Long.toString(e.retryAfterSeconds()))
                .type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorResponse(e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response conflict(ModelConflictException e) {
        return json(409, e.getMessage());
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, ContainerRequestContext request) {
        countIfClassify(request, Outcome.BAD_REQUEST);
        return json(400, "malformed JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        String reason = switch (status) {
            case 415 -> "unsupported content type " + request.getHeaderString(HttpHeaders.CONTENT_TYPE)
                    + ": send application/octet-stream (784 bytes), image/png, image/jpeg or application/json";
            case 413 -> "request body too large";
            default -> e.getMessage() == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : e.getMessage();
        };
        countIfClassify(request, status == 415 ? Outcome.UNSUPPORTED : status == 413 ? Outcome.TOO_LARGE
                : status >= 500 ? Outcome.ERROR : Outcome.BAD_REQUEST);
        return json(status, reason);
    }

    /** The safety net: an unexpected failure is logged with its stack and answered 500 without details. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e, ContainerRequestContext request) {
        LOG.errorf(e, "unexpected failure on %s %s", request.getMethod(), request.getUriInfo().getPath());
        return json(500, "internal error: " + e.getClass().getSimpleName());
    }

    private void countIfClassify(ContainerRequestContext request, Outcome outcome) {
        if (request.getUriInfo().getPath().startsWith(CLASSIFY_PATH)) {
            service.countRefused(request.getHeaderString(HttpHeaders.CONTENT_TYPE), outcome);
        }
    }

    static Response json(int status, String reason) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorResponse(reason)).build();
    }
}
