package dev.fmnist.console.client;

import dev.fmnist.api.TrainingStatus;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The trainer's public API as the console uses it. */
@Path("/api/v1/training")
public interface TrainerApi {
    @GET
    TrainingStatus status();

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Response start(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, byte[] body);

    @DELETE
    Response stop(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth);
}
