package dev.fmnist.ingest.rest;

import dev.fmnist.api.PublishStatus;
import dev.fmnist.ingest.dataset.PublishJob;
import dev.fmnist.ingest.service.DatasetPublishService;
import dev.fmnist.support.auth.Roles;
import dev.fmnist.support.rest.ErrorResponses;
import dev.fmnist.support.rest.Flags;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.OptionalInt;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/** Publishing Fashion-MNIST to the train and test topics, and its status. */
@Path("/api/v1/datasets/fashion-mnist/publish")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "dataset")
public class DatasetResource {
    private final DatasetPublishService service;

    public DatasetResource(DatasetPublishService service) {
        this.service = service;
    }

    @POST
    @RolesAllowed(Roles.WRITER)
    @Operation(summary = "Start publishing Fashion-MNIST",
            description = "Runs in the background; poll GET on the same path. Answers 202 with the job, 409 while one runs. "
                    + "Unless force=true or fmnist.ingest.skip-published=false, batches already on the topics are skipped.")
    @APIResponse(responseCode = "202", description = "Publication started; Location points at its status")
    @APIResponse(responseCode = "409", description = "A publication is already running")
    public Response publish(
            @Parameter(description = "Only the first N training images (0 = all); default fmnist.ingest.train-limit")
            @RestQuery Integer trainLimit,
            @Parameter(description = "Only the first N test images (0 = all); default fmnist.ingest.test-limit")
            @RestQuery Integer testLimit,
            @Parameter(description = "true: send every batch, also those already on the topics; "
                    + "default: fmnist.ingest.skip-published decides")
            @RestQuery String force,
            UriInfo uri) {
        PublishStatus status = service.start(optional(trainLimit), optional(testLimit), Flags.parse("force", force, false));
        return Response.accepted(status).location(uri.getRequestUri()).build();
    }

    @GET
    @Operation(summary = "Status and progress of the running or last publication")
    @APIResponse(responseCode = "200", description = "The running or last job")
    @APIResponse(responseCode = "404", description = "Nothing has been published since the service started")
    public Response status() {
        return service.status()
                .map(s -> Response.ok(s).build())
                .orElseGet(() -> ErrorResponses.of(404, "no publication has run since the service started"));
    }

    private static OptionalInt optional(Integer value) {
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }
}
