package dev.fmnist.inference.rest;

import dev.fmnist.api.PredictionResponse;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.inference.service.Classification;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ScoringThreads;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.support.rest.Flags;
import dev.fmnist.support.rest.InvalidFlagException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/classify}: checks the body and the query (size, 784 pixels 0-255, batch
 * limit, label, flags), then hands typed input to {@link ClassificationService}, for the served model
 * {@code ?model=} names (family id or model name; absent: the default one; not served: 404 naming the
 * served ones). A request refused here is counted under its model, content type and outcome. Raw bytes are
 * read and checked on the event loop and scored where {@link ScoringThreads} says (softmax there, the
 * heavier families on a worker); image decoding and JSON (streamed from the body) run on worker threads
 * for every model.
 */
@Path("/api/v1/classify")
@Produces(MediaType.APPLICATION_JSON)
public class ClassifyResource {
    public static final String TRUE_LABEL_HEADER = "X-True-Label";
    /** The query parameter naming the served model (family id or model name). */
    public static final String MODEL = "model";
    private final ClassificationService service;
    private final ClassifyJsonReader jsonReader;
    private final BodyLimit limit;
    private final ScoringThreads threads;

    public ClassifyResource(ClassificationService service, ClassifyJsonReader jsonReader, BodyLimit limit,
                            ScoringThreads threads) {
        this.service = service;
        this.jsonReader = jsonReader;
        this.limit = limit;
        this.threads = threads;
    }

    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @NonBlocking
    public Uni<PredictionResponse> raw(byte[] body, @QueryParam(MODEL) String model,
                                       @QueryParam("label") String label,
                                       @HeaderParam(TRUE_LABEL_HEADER) String labelHeader) {
        record Raw(byte[] pixels, Integer label) {
        }
        ServedModel served = service.model(ContentKind.RAW, model);
        Raw in = checked(served, ContentKind.RAW, () -> {
            limit.check(body);
            if (body == null || body.length != FashionMnist.PIXELS) {
                throw InvalidInputException.badRequest("application/octet-stream body must be exactly "
                        + FashionMnist.PIXELS + " bytes (28x28 uint8), got " + (body == null ? 0 : body.length));
            }
            return new Raw(body, label(label, labelHeader));
        });
        return threads.score(served,
                () -> prediction(service.classifyPixels(ContentKind.RAW, served, in.pixels(), in.label())));
    }

    @POST
    @Consumes({"image/png", "image/jpeg"})
    @Blocking
    public PredictionResponse image(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                    @QueryParam(MODEL) String model, @QueryParam("invert") String invert,
                                    @QueryParam("label") String label,
                                    @HeaderParam(TRUE_LABEL_HEADER) String labelHeader) {
        record Image(boolean invert, Integer label) {
        }
        ContentKind kind = ContentKind.ofHeader(contentType);
        ServedModel served = service.model(kind, model);
        Image in = checked(served, kind, () -> {
            limit.check(body);
            return new Image(flag("invert", invert), label(label, labelHeader));
        });
        return prediction(service.classifyImage(kind, served, body, in.invert(), in.label()));
    }

    /** Read as a stream through the body limit: a chunked body is held to it too, and no tree is built. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Object json(InputStream body, @QueryParam(MODEL) String model, @QueryParam("label") String label,
                       @HeaderParam(TRUE_LABEL_HEADER) String labelHeader) {
        ServedModel served = service.model(ContentKind.JSON, model);
        Integer labelParam = checked(served, ContentKind.JSON, () -> label(label, labelHeader));
        ClassifyJson parsed;
        try {
            parsed = jsonReader.read(limit.bounded(body));
        } catch (ClassifyJsonReader.Invalid e) {
            service.countRefused(served, e.kind(), e.outcome());
            throw e;
        }
        if (parsed instanceof ClassifyJson.Single s) {
            return prediction(service.classifyPixels(ContentKind.JSON, served, s.pixels(),
                    labelParam != null ? labelParam : s.label()));
        }
        ClassifyJson.Batch b = (ClassifyJson.Batch) parsed;
        return new PredictionResponse.Batch(service.classifyBatch(served, b.batch()).stream()
                .map(ClassifyResource::prediction).toList());
    }

    /** Runs a check; a refusal is counted under the model and {@code kind} and rethrown for the error mapper. */
    private <T> T checked(ServedModel model, ContentKind kind, Supplier<T> check) {
        try {
            return check.get();
        } catch (InvalidInputException e) {
            service.countRefused(model, kind, e.outcome());
            throw e;
        }
    }

    private static Integer label(String query, String header) {
        return Labels.parse(query != null ? query : header);
    }

    /** By the services' one flag rule ({@link Flags}); a refusal is counted like every bad request here. */
    private static boolean flag(String name, String value) {
        try {
            return Flags.parse(name, value, false);
        } catch (InvalidFlagException e) {
            throw InvalidInputException.badRequest(e.getMessage());
        }
    }

    private static PredictionResponse prediction(Classification c) {
        return new PredictionResponse(c.classIndex(), c.label(), c.probabilities(), c.modelVersion(), c.epoch(),
                c.model());
    }
}
