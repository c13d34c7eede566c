package dev.fmnist.inference.oip;

import dev.fmnist.inference.service.ModelUnavailableException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Open Inference Protocol v2 (KServe, Triton, Seldon MLServer, DJL Serving) over REST, for every served
 * model ({@code /v2/models/fmnist-cnn/...}; the family id works too): server and model health and metadata, and {@code infer} taking {@code [N, 784]} UINT8 (0-255) or FP32 (0-1)
 * and answering {@code probabilities} {@code [N, 10]} FP32 and {@code class} {@code [N]} INT64.
 * Errors are the protocol's {@code {"error": "..."}} with 400, 404, 413 or 503.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class OipResource {
    private final OipService oip;

    public OipResource(OipService oip) {
        this.oip = oip;
    }

    @GET
    public Map<String, Object> server() {
        return oip.server();
    }

    @GET
    @Path("/health/live")
    public Response live() {
        return Response.ok().build();
    }

    @GET
    @Path("/health/ready")
    public Response ready() {
        if (!oip.ready()) {
            throw new ModelUnavailableException("not every served model has a version loaded yet");
        }
        return Response.ok().build();
    }

    @GET
    @Path("/models/{name}")
    public Map<String, Object> model(@PathParam("name") String name) {
        return oip.metadata(name, null);
    }

    @GET
    @Path("/models/{name}/versions/{version}")
    public Map<String, Object> modelVersion(@PathParam("name") String name, @PathParam("version") String version) {
        return oip.metadata(name, version);
    }

    @GET
    @Path("/models/{name}/ready")
    public Response modelReady(@PathParam("name") String name) {
        oip.resolve(name, null);
        return Response.ok().build();
    }

    @GET
    @Path("/models/{name}/versions/{version}/ready")
    public Response modelVersionReady(@PathParam("name") String name, @PathParam("version") String version) {
        oip.resolve(name, version);
        return Response.ok().build();
    }

    @POST
    @Path("/models/{name}/infer")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Blocking
    public byte[] infer(@PathParam("name") String name, byte[] body) {
        return oip.infer(name, null, body);
    }

    @POST
    @Path("/models/{name}/versions/{version}/infer")
    @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
    @Blocking
    public byte[] inferVersion(@PathParam("name") String name, @PathParam("version") String version, byte[] body) {
        return oip.infer(name, version, body);
    }
}
