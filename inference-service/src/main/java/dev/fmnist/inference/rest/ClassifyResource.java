package dev.fmnist.inference.rest;

import dev.fmnist.inference.service.Classification;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InvalidInputException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code POST /api/v1/classify}. Raw bytes are scored on the event loop (a few microseconds of
 * arithmetic); image decoding and JSON batches (DJL) run on worker threads.
 */
@Path("/api/v1/classify")
@Produces(MediaType.APPLICATION_JSON)
public class ClassifyResource {
    public static final String TRUE_LABEL_HEADER = "X-True-Label";
    private final ClassificationService service;

    public ClassifyResource(ClassificationService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @NonBlocking
    public PredictionResponse raw(byte[] body, @QueryParam("label") String label,
                                  @HeaderParam(TRUE_LABEL_HEADER) String labelHeader) {
        return PredictionResponse.of(service.classifyRaw(body, label(label, labelHeader)));
    }

    @POST
    @Consumes({"image/png", "image/jpeg"})
    @Blocking
    public PredictionResponse image(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                    @QueryParam("invert") String invert, @QueryParam("label") String label,
                                    @HeaderParam(TRUE_LABEL_HEADER) String labelHeader) {
        return PredictionResponse.of(service.classifyImage(body, ContentKind.ofHeader(contentType), flag(invert),
                label(label, labelHeader)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Object json(byte[] body, @QueryParam("label") String label,
                       @HeaderParam(TRUE_LABEL_HEADER) String labelHeader) {
        Object result = service.classifyJson(body, label(label, labelHeader));
        if (result instanceof List<?> list) {
            return new PredictionResponse.Batch(list.stream().map(c -> PredictionResponse.of((Classification) c)).toList());
        }
        return PredictionResponse.of((Classification) result);
    }

    private static Integer label(String query, String header) {
        return ClassificationService.parseLabel(query != null ? query : header);
    }

    private static boolean flag(String value) {
        if (value == null || value.isEmpty() || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw InvalidInputException.badRequest("invert must be true or false, got '" + value + "'");
    }
}
