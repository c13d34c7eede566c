package dev.fmnist.inference.rest;

import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.OnlineAccuracy;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ModelControlService;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.support.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * A served model's live description, and the admin endpoints that pin a version or roll back: decisions
 * every replica follows through fmnist.model-control, per model name. Every endpoint takes
 * {@code ?model=} (family id or model name; absent: the default model; not served: 404 naming the served ones).
 */
@Path("/api/v1/model")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
    private final ModelService models;
    private final ModelControlService control;
    private final ModelViews views;

    public ModelResource(ModelService models, ModelControlService control, ModelViews views) {
        this.models = models;
        this.control = control;
        this.views = views;
    }

    @GET
    public ModelInfo live(@QueryParam(ClassifyResource.MODEL) String model) {
        ServedModel served = models.model(model);
        ModelRegistry.State s = served.registry().state();
        LoadedModel m = served.require();
        return views.info(served, s, m);
    }

    /** Online accuracy on labelled requests (the figures of the {@code fmnist.inference.accuracy.*} series). */
    @GET
    @Path("/accuracy")
    public OnlineAccuracy accuracy(@QueryParam(ClassifyResource.MODEL) String model) {
        return models.model(model).meters().onlineAccuracy();
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Path("/versions")
    public ModelInfo.Versions versions(@QueryParam(ClassifyResource.MODEL) String model) {
        ServedModel served = models.model(model);
        return views.versions(served, served.registry().state(), false);
    }

    /**
     * Pins a retained version on every replica (written to fmnist.model-control). 200 once this
     * replica serves it; 202 when this replica has not read the decision back in time (it will).
     */
    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "In force on this replica (every replica follows it)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ModelInfo.Versions.class)))
    @APIResponse(responseCode = "202", description = "Written to fmnist.model-control; not applied here yet (pending)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ModelInfo.Versions.class)))
    public RestResponse<ModelInfo.Versions> pin(@QueryParam(ClassifyResource.MODEL) String model,
                                                ModelInfo.PinRequest body) {
        ServedModel served = models.model(model);
        return decided(served, control.pin(served, requestedVersion(body)));
    }

    /** Every replica follows the newest version again (200, or 202 while this replica has not applied it). */
    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @Path("/pin")
    @APIResponse(responseCode = "200", description = "In force on this replica (every replica follows it)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ModelInfo.Versions.class)))
    @APIResponse(responseCode = "202", description = "Written to fmnist.model-control; not applied here yet (pending)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ModelInfo.Versions.class)))
    public RestResponse<ModelInfo.Versions> unpin(@QueryParam(ClassifyResource.MODEL) String model) {
        ServedModel served = models.model(model);
        return decided(served, control.unpin(served));
    }

    /** Pins, on every replica, the version before the one live here (200, or 202 while pending here). */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Path("/rollback")
    @APIResponse(responseCode = "200", description = "In force on this replica (every replica follows it)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ModelInfo.Versions.class)))
    @APIResponse(responseCode = "202", description = "Written to fmnist.model-control; not applied here yet (pending)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ModelInfo.Versions.class)))
    public RestResponse<ModelInfo.Versions> rollback(@QueryParam(ClassifyResource.MODEL) String model) {
        ServedModel served = models.model(model);
        return decided(served, control.rollback(served));
    }

    private RestResponse<ModelInfo.Versions> decided(ServedModel served, ModelControlService.Outcome outcome) {
        ModelInfo.Versions view = views.versions(served, outcome.state(), !outcome.applied());
        return outcome.applied() ? RestResponse.ok(view) : RestResponse.accepted(view);
    }

    private static long requestedVersion(ModelInfo.PinRequest body) {
        if (body == null || body.version() == null) {
            throw InvalidInputException.badRequest("body must be {\"version\": <retained version>}");
        }
        return body.version();
    }
}
