package dev.fmnist.inference.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fmnist.api.ErrorBody;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ModelConflictException;
import dev.fmnist.inference.service.ModelUnavailableException;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.inference.service.UnknownVersionException;
import dev.fmnist.support.rest.ErrorResponses;
import dev.fmnist.support.rest.HttpErrorMappers;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Inference's failures as the one JSON error body, with the status each calls for; refusals of
 * {@code /api/v1/classify} are counted. The unexpected (500) is service-support's {@code HttpErrorMappers}.
 */
public class ErrorMappers {
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
        return ErrorResponses.builder(503, new ErrorBody(e.getMessage())).header("Retry-After", "5").build();
    }

    /** The decode budget is spent by concurrent decodes: the image itself is fine, retry shortly. */
    @ServerExceptionMapper
    public Response busy(DecodeBusyException e) {
        return ErrorResponses.builder(503, new ErrorBody(e.getMessage()))
                .header("Retry-After", Long.toString(e.retryAfterSeconds())).build();
    }

    @ServerExceptionMapper
    public Response unknownVersion(UnknownVersionException e) {
        return json(404, e.getMessage());
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
            default -> HttpErrorMappers.reason(e, request);
        };
        countIfClassify(request, status == 415 ? Outcome.UNSUPPORTED : status == 413 ? Outcome.TOO_LARGE
                : status >= 500 ? Outcome.ERROR : Outcome.BAD_REQUEST);
        return HttpErrorMappers.answer(e, reason);
    }

    private void countIfClassify(ContainerRequestContext request, Outcome outcome) {
        if (request.getUriInfo().getPath().startsWith(CLASSIFY_PATH)) {
            service.countRefused(request.getHeaderString(HttpHeaders.CONTENT_TYPE), outcome);
        }
    }

    private static Response json(int status, String reason) {
        return ErrorResponses.of(status, reason);
    }
}
