package dev.fmnist.inference.oip;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/** The protocol's error body, {@code {"error": "..."}}, with the status the failure calls for. */
@Provider
public class OipExceptionMapper implements ExceptionMapper<OipException> {
    @Override
    public Response toResponse(OipException e) {
        Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", e.getMessage()));
        if (e.status() == 503) {
            r.header("Retry-After", "5");
        }
        return r.build();
    }
}
