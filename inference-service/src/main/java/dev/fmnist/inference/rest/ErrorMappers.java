package dev.fmnist.inference.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.support.rest.ErrorResponses;
import dev.fmnist.support.rest.HttpErrorMappers;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Inference's own answers to malformed JSON and HTTP errors, as the one JSON error body; refusals of
 * {@code /api/v1/classify} are counted. Its refusals ({@code ApiException}), a spent decode budget and the
 * unexpected (500) are service-support's {@code HttpErrorMappers}.
 */
public class ErrorMappers {
    private static final String CLASSIFY_PATH = "/api/v1/classify";
    private final ClassificationService service;

    public ErrorMappers(ClassificationService service) {
        this.service = service;
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, ContainerRequestContext request) {
        countIfClassify(request, Outcome.BAD_REQUEST);
        return ErrorResponses.of(400, "malformed JSON: " + e.getOriginalMessage());
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
            service.countRefused(request.getHeaderString(HttpHeaders.CONTENT_TYPE),
                    request.getUriInfo().getQueryParameters().getFirst(ClassifyResource.MODEL), outcome);
        }
    }
}
