package dev.fmnist.console.client;

import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.OnlineAccuracy;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Inference's public API as the console uses it: typed status reads, and actions whose answers are passed
 * through. {@code model} picks one of the served models by name ({@code ?model=fmnist-cnn}); null leaves the
 * parameter out (the default route).
 */
@Path("/api/v1")
public interface InferenceApi {
    @GET
    @Path("/model")
    ModelInfo model(@QueryParam("model") String model);

    @GET
    @Path("/model/accuracy")
    OnlineAccuracy accuracy();

    @POST
    @Path("/classify")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    Response classify(@QueryParam("model") String model, @QueryParam("label") Integer label, byte[] pixels);

    @GET
    @Path("/model/versions")
    Response versions(@QueryParam("model") String model, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth);

    @POST
    @Path("/model/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    Response pin(@QueryParam("model") String model, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth, byte[] body);

    @DELETE
    @Path("/model/pin")
    Response unpin(@QueryParam("model") String model, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth);

    @POST
    @Path("/model/rollback")
    Response rollback(@QueryParam("model") String model, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth);
}
