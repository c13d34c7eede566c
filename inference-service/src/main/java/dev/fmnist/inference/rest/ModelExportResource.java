package dev.fmnist.inference.rest;

import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.export.ExportFormat;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ModelService;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/v1/model/export?format=npz|safetensors|onnx[&model=NAME][&version=N]}: a served model's
 * named tensors with the snapshot's metadata (onnx: the whole network as a graph), as a download.
 * {@code model} as on every model endpoint (absent: the default model); without a version, its live
 * version; with one, a version this replica keeps (404 otherwise). Reading the weights changes nothing, so it is open
 * like the model description.
 */
@Path("/api/v1/model/export")
public class ModelExportResource {
    private final ModelService models;

    public ModelExportResource(ModelService models) {
        this.models = models;
    }

    @GET
    public Response export(@QueryParam("format") @DefaultValue("npz") String format,
                           @QueryParam(ClassifyResource.MODEL) String model, @QueryParam("version") String version) {
        ExportFormat f = ExportFormat.parse(format).orElseThrow(() -> InvalidInputException.badRequest(
                "unknown export format '" + format + "': use one of " + ExportFormat.names()));
        LoadedModel m = models.model(model).resolve(version);
        String file = m.modelName() + "-v" + m.version() + "." + f.extension();
        return Response.ok(m.export(f), f.mediaType())
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .header("X-Model-Version", Long.toString(m.version()))
                .build();
    }
}
