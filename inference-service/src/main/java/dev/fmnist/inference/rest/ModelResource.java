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
import java.util.ArrayList;
import java.util.List;
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

    public ModelResource(ModelService models, ModelControlService control) {
        this.models = models;
        this.control = control;
    }

    @GET
    public ModelInfo live(@QueryParam(ClassifyResource.MODEL) String model) {
        ServedModel served = models.model(model);
        ModelRegistry.State s = served.registry().state();
        LoadedModel m = served.require();
        return info(m, true, s.pinned() != null && s.pinned() == m.version());
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
        return view(models.model(model).registry().state(), false);
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
        return decided(control.pin(models.model(model), requestedVersion(body)));
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
        return decided(control.unpin(models.model(model)));
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
        return decided(control.rollback(models.model(model)));
    }

    private static RestResponse<ModelInfo.Versions> decided(ModelControlService.Outcome outcome) {
        ModelInfo.Versions view = view(outcome.state(), !outcome.applied());
        return outcome.applied() ? RestResponse.ok(view) : RestResponse.accepted(view);
    }

    private static long requestedVersion(ModelInfo.PinRequest body) {
        if (body == null || body.version() == null) {
            throw InvalidInputException.badRequest("body must be {\"version\": <retained version>}");
        }
        return body.version();
    }

    /** @param unread whether this replica has not yet read the decision just written */
    private static ModelInfo.Versions view(ModelRegistry.State s, boolean unread) {
        Long live = s.live() == null ? null : s.live().version();
        List<ModelInfo> newestFirst = new ArrayList<>();
        for (LoadedModel m : s.retained()) {
            newestFirst.add(0, info(m, live != null && live == m.version(),
                    s.pinned() != null && s.pinned() == m.version()));
        }
        return new ModelInfo.Versions(live, s.pinned(), unread || s.pinPending(), s.highestSeen(), newestFirst);
    }

    /** The description of {@code m}; NaN metrics (not measured) become null. */
    private static ModelInfo info(LoadedModel m, boolean live, boolean pinned) {
        var metrics = m.metrics();
        return new ModelInfo(m.modelName(), m.version(), m.epoch(), m.step(), measured(metrics.testAccuracy()),
                measured(metrics.trainLoss()), measured(metrics.trainAccuracy()), m.createdAt(), m.loadedAt(),
                m.hyperparameters(), m.lineage(), live, pinned);
    }

    private static Double measured(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
