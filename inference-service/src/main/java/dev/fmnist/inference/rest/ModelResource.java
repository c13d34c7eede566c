package dev.fmnist.inference.rest;

import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.support.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The live model's description, and the admin endpoints that pin a version or roll back. */
@Path("/api/v1/model")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
    private final ModelService models;

    public ModelResource(ModelService models) {
        this.models = models;
    }

    @GET
    public ModelInfo live() {
        ModelRegistry.State s = models.registry().state();
        LoadedModel m = models.require();
        return ModelInfo.of(m, true, s.pinned() != null && s.pinned() == m.version());
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Path("/versions")
    public ModelInfo.Versions versions() {
        return admin(() -> models.registry().state());
    }

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    public ModelInfo.Versions pin(ModelInfo.PinRequest body) {
        return admin(() -> models.pin(requestedVersion(body)));
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @Path("/pin")
    public ModelInfo.Versions unpin() {
        return admin(models::unpin);
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/rollback")
    public ModelInfo.Versions rollback() {
        return admin(models::rollback);
    }

    /** Every admin endpoint (the role is checked before): run the registry operation and show the resulting versions. */
    private ModelInfo.Versions admin(Supplier<ModelRegistry.State> operation) {
        return view(operation.get());
    }

    private static long requestedVersion(ModelInfo.PinRequest body) {
        if (body == null || body.version() == null) {
            throw InvalidInputException.badRequest("body must be {\"version\": <retained version>}");
        }
        return body.version();
    }

    private static ModelInfo.Versions view(ModelRegistry.State s) {
        Long live = s.live() == null ? null : s.live().version();
        List<ModelInfo> newestFirst = new ArrayList<>();
        for (LoadedModel m : s.retained()) {
            newestFirst.add(0, ModelInfo.of(m, live != null && live == m.version(),
                    s.pinned() != null && s.pinned() == m.version()));
        }
        return new ModelInfo.Versions(live, s.pinned(), s.highestSeen(), newestFirst);
    }
}
