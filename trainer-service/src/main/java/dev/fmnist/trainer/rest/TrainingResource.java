package dev.fmnist.trainer.rest;

import dev.fmnist.api.TrainingStatus;
import dev.fmnist.support.auth.Roles;
import dev.fmnist.support.rest.ErrorResponses;
import dev.fmnist.trainer.service.TrainingRequest;
import dev.fmnist.trainer.service.TrainingService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Status and control of training: {@code /api/v1/training}. */
@Path("/api/v1/training")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TrainingResource {
    private final TrainingService training;

    public TrainingResource(TrainingService training) {
        this.training = training;
    }

    /** State, progress, model version and the per-epoch history. */
    @GET
    public TrainingStatus status() {
        return training.status();
    }

    /** Starts a run of a model family ({@code model}) with optional overrides (epochs, learningRate, batchSize, seed, resume). */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(Map<String, Object> body) {
        return Response.accepted(training.start(TrainingRequest.parse(body))).build();
    }

    /** Stops the current run (waits for it to end) and answers the status. */
    @DELETE
    @RolesAllowed(Roles.ADMIN)
    public TrainingStatus stop() {
        return training.stop();
    }

    @ServerExceptionMapper
    public Response invalid(IllegalArgumentException e) {
        return ErrorResponses.of(400, e.getMessage());
    }
}
