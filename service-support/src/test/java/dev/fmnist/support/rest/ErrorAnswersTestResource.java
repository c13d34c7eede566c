package dev.fmnist.support.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** A resource that fails in each way {@link HttpErrorMappersTest} checks. */
@Path("/errors")
@Produces(MediaType.APPLICATION_JSON)
public class ErrorAnswersTestResource {
    @GET
    public Map<String, Object> flag(@QueryParam("on") String on) {
        return Map.of("on", Flags.parse("on", on, false));
    }

    @POST
    @Path("/unavailable")
    public String unavailable() {
        throw new ServiceUnavailableException(7L);
    }

    @POST
    @Path("/boom")
    public String boom() {
        throw new IllegalStateException("secret detail");
    }
}
