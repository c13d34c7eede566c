package dev.fmnist.inference.oip;

import dev.fmnist.api.ErrorBody;
import dev.fmnist.support.rest.ErrorResponses;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** The protocol's error body, {@code {"error": "..."}}, with the status the failure calls for. */
@Provider
public class OipExceptionMapper implements ExceptionMapper<OipException> {
    @Override
    public Response toResponse(OipException e) {
        Response.ResponseBuilder r = ErrorResponses.builder(e.status(), new ErrorBody(e.getMessage()));
        if (e.status() == 503) {
            r.header("Retry-After", "5");
        }
        return r.build();
    }
}
