package dev.fmnist.support.rest;

import dev.fmnist.api.ErrorBody;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Builds the one error answer: a status and the JSON {@link ErrorBody} {@code {"error": "reason"}}. */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    /** A builder with the status and body set, for answers that add a header (Retry-After, Allow). */
    public static Response.ResponseBuilder builder(int status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
    }

    public static Response of(int status, ErrorBody body) {
        return builder(status, body).build();
    }

    public static Response of(int status, String reason) {
        return of(status, new ErrorBody(reason));
    }

    /** The answer of {@code e}: its status and reason, and its Retry-After when it has one. */
    public static Response of(ApiException e) {
        Response.ResponseBuilder answer = builder(e.status(), new ErrorBody(e.getMessage()));
        e.retryAfter().ifPresent(wait -> answer.header("Retry-After", ApiException.retryAfterHeader(wait)));
        return answer.build();
    }
}
