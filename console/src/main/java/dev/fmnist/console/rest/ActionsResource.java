package dev.fmnist.console.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.console.client.ServiceClients;
import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.image.ImageFormatException;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.support.rest.ErrorResponses;
import dev.fmnist.support.rest.Flags;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The page's actions, forwarded to the services' public APIs. The console holds no credential: the
 * admin calls carry the Authorization header the browser sent (the token the user typed), and the
 * service decides. The calls go through the services' REST clients ({@link ServiceClients}); answers and
 * errors of the services are passed through unchanged; a service that does not answer gives 503.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ActionsResource {
    private static final int MAX_AUTH_CHARS = 4096;
    private final ConsoleConfig config;
    private final ServiceClients clients;
    private final ObjectMapper json;

    public ActionsResource(ConsoleConfig config, ServiceClients clients, ObjectMapper json) {
        this.config = config;
        this.clients = clients;
        this.json = json;
    }

    /**
     * Classifies a PNG/JPEG (a drawn canvas or a dropped file). The console converts it with the
     * contracts' ImageConverter and sends those 784 bytes to inference, so the 28x28 image it shows
     * is exactly what the model scored.
     */
    @POST
    @Path("/classify")
    @Consumes({"image/png", "image/jpeg"})
    public Response classify(byte[] body, @QueryParam("invert") String invertFlag, @QueryParam("label") String label,
                             @QueryParam("model") String model) {
        boolean invert = Flags.parse("invert", invertFlag, false);
        String modelName = modelName(model);
        if (body == null || body.length == 0) {
            return ErrorResponses.of(400, "empty body: send a PNG or JPEG");
        }
        if (body.length > config.maxImageBytes()) {
            return ErrorResponses.of(413, "image of " + body.length + " bytes exceeds the limit of " + config.maxImageBytes());
        }
        Integer trueLabel = null;
        if (label != null && !label.isBlank()) {
            try {
                trueLabel = FashionMnist.parseLabel(label);
            } catch (RuntimeException e) {
                return ErrorResponses.of(400, "label must be a class index 0-9 or a class name");
            }
        }
        byte[] pixels;
        try {
            pixels = ImageConverter.toFashionMnist(body, invert);
        } catch (ImageFormatException e) {
            return ErrorResponses.of(e.tooLarge() ? 413 : 400, e.getMessage());
        }
        Integer l = trueLabel;
        Response a = send("inference", config.inferenceUrl(), () -> clients.inferenceActions().classify(modelName, l, pixels));
        if (a.getStatus() / 100 != 2) {
            return a;
        }
        JsonNode prediction;
        try {
            prediction = json.readTree((byte[]) a.getEntity());
        } catch (IOException e) {
            return ErrorResponses.of(502, "inference answered something that is not JSON");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prediction", prediction);
        out.put("seen", Base64.getEncoder().encodeToString(ImageConverter.encodePng(pixels)));
        out.put("labels", FashionMnist.LABELS);
        return Response.ok(out).build();
    }

    @POST
    @Path("/training")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response startTraining(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        byte[] json = jsonBody(body);
        return forward("trainer", config.trainerUrl(), auth, a -> clients.trainerActions().start(a, json));
    }

    @DELETE
    @Path("/training")
    public Response stopTraining(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return forward("trainer", config.trainerUrl(), auth, clients.trainerActions()::stop);
    }

    @GET
    @Path("/model/versions")
    public Response versions(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @QueryParam("model") String model) {
        String m = modelName(model);
        return forward("inference", config.inferenceUrl(), auth, a -> clients.inferenceActions().versions(m, a));
    }

    @POST
    @Path("/model/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response pin(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @QueryParam("model") String model) {
        String m = modelName(model);
        byte[] json = jsonBody(body);
        return forward("inference", config.inferenceUrl(), auth, a -> clients.inferenceActions().pin(m, a, json));
    }

    @DELETE
    @Path("/model/pin")
    public Response unpin(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @QueryParam("model") String model) {
        String m = modelName(model);
        return forward("inference", config.inferenceUrl(), auth, a -> clients.inferenceActions().unpin(m, a));
    }

    @POST
    @Path("/model/rollback")
    public Response rollback(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @QueryParam("model") String model) {
        String m = modelName(model);
        return forward("inference", config.inferenceUrl(), auth, a -> clients.inferenceActions().rollback(m, a));
    }

    /**
     * The model a {@code ?model=} names (a family id or a model name, as inference takes them), as its model
     * name; null without one (inference's default route); an unknown one is a 400 here, before any call.
     */
    private static String modelName(String model) {
        if (model == null || model.isBlank()) {
            return null;
        }
        try {
            return ModelFamily.parse(model).modelName();
        } catch (IllegalArgumentException e) {
            throw new jakarta.ws.rs.WebApplicationException(e.getMessage(), 400);
        }
    }

    /** A JSON body to forward: at most max-json-bytes and well-formed, or a 400/413 thrown as one. */
    private byte[] jsonBody(byte[] body) {
        if (body == null || body.length == 0) {
            return "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (body.length > config.maxJsonBytes()) {
            throw new jakarta.ws.rs.WebApplicationException("body exceeds " + config.maxJsonBytes() + " bytes", 413);
        }
        try {
            json.readTree(body);
        } catch (IOException e) {
            throw new jakarta.ws.rs.WebApplicationException("body is not JSON", 400);
        }
        return body;
    }

    /** Forwards an admin call with the browser's Authorization header (when it sent a usable one). */
    private Response forward(String service, String base, String auth,
                             java.util.function.Function<String, Response> call) {
        if (auth != null && !auth.isBlank()
                && (auth.length() > MAX_AUTH_CHARS || auth.chars().anyMatch(c -> c < 0x20 || c > 0x7e))) {
            return ErrorResponses.of(400, "Authorization header is not a usable bearer token");
        }
        String header = auth == null || auth.isBlank() ? null : auth;
        return send(service, base, () -> call.apply(header));
    }

    /** The service's answer, status, type and body as they came; 503 when it does not answer. */
    private static Response send(String service, String base, Supplier<Response> call) {
        try (Response r = call.get()) {
            byte[] body = r.hasEntity() ? r.readEntity(byte[].class) : new byte[0];
            String type = r.getMediaType() == null ? MediaType.APPLICATION_JSON : r.getMediaType().toString();
            return Response.status(r.getStatus()).type(type).entity(body).build();
        } catch (ProcessingException e) {
            return ErrorResponses.of(503, service + " does not answer at " + base);
        }
    }
}
