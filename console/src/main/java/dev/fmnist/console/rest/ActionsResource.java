package dev.fmnist.console.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.console.live.ServiceHttp;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.image.ImageFormatException;
import dev.fmnist.support.rest.ErrorResponses;
import dev.fmnist.support.rest.Flags;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The page's actions, forwarded to the services' public APIs. The console holds no credential: the
 * admin calls carry the Authorization header the browser sent (the token the user typed), and the
 * service decides. Answers and errors of the services are passed through unchanged; a service that
 * does not answer gives 503.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class ActionsResource {
    private static final int MAX_AUTH_CHARS = 4096;
    private final ConsoleConfig config;
    private final ServiceHttp http;
    private final ObjectMapper json;

    public ActionsResource(ConsoleConfig config, ServiceHttp http, ObjectMapper json) {
        this.config = config;
        this.http = http;
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
    public Response classify(byte[] body, @QueryParam("invert") String invertFlag, @QueryParam("label") String label) {
        boolean invert = Flags.parse("invert", invertFlag, false);
        if (body == null || body.length == 0) {
            return ErrorResponses.of(400, "empty body: send a PNG or JPEG");
        }
        if (body.length > config.maxImageBytes()) {
            return ErrorResponses.of(413, "image of " + body.length + " bytes exceeds the limit of " + config.maxImageBytes());
        }
        String query = "";
        if (label != null && !label.isBlank()) {
            int l;
            try {
                l = FashionMnist.parseLabel(label);
            } catch (RuntimeException e) {
                return ErrorResponses.of(400, "label must be a class index 0-9 or a class name");
            }
            query = "?label=" + l;
        }
        byte[] pixels;
        try {
            pixels = ImageConverter.toFashionMnist(body, invert);
        } catch (ImageFormatException e) {
            return ErrorResponses.of(e.tooLarge() ? 413 : 400, e.getMessage());
        }
        Optional<ServiceHttp.Answer> a = http.action("POST", config.inferenceUrl() + "/api/v1/classify" + query,
                Map.of("Content-Type", MediaType.APPLICATION_OCTET_STREAM), pixels);
        if (a.isEmpty()) {
            return unreachable("inference", config.inferenceUrl());
        }
        if (!a.get().ok()) {
            return passThrough(a.get());
        }
        JsonNode prediction;
        try {
            prediction = json.readTree(a.get().body());
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
        return forward("trainer", config.trainerUrl(), "POST", "/api/v1/training", auth, jsonBody(body));
    }

    @DELETE
    @Path("/training")
    public Response stopTraining(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return forward("trainer", config.trainerUrl(), "DELETE", "/api/v1/training", auth, null);
    }

    @GET
    @Path("/model/versions")
    public Response versions(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return forward("inference", config.inferenceUrl(), "GET", "/api/v1/model/versions", auth, null);
    }

    @POST
    @Path("/model/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response pin(byte[] body, @HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return forward("inference", config.inferenceUrl(), "POST", "/api/v1/model/pin", auth, jsonBody(body));
    }

    @DELETE
    @Path("/model/pin")
    public Response unpin(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return forward("inference", config.inferenceUrl(), "DELETE", "/api/v1/model/pin", auth, null);
    }

    @POST
    @Path("/model/rollback")
    public Response rollback(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        return forward("inference", config.inferenceUrl(), "POST", "/api/v1/model/rollback", auth, null);
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

    private Response forward(String service, String base, String method, String path, String auth, byte[] body) {
        Map<String, String> headers = new HashMap<>();
        if (auth != null && !auth.isBlank()) {
            if (auth.length() > MAX_AUTH_CHARS || auth.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
                return ErrorResponses.of(400, "Authorization header is not a usable bearer token");
            }
            headers.put("Authorization", auth);
        }
        if (body != null) {
            headers.put("Content-Type", MediaType.APPLICATION_JSON);
        }
        Optional<ServiceHttp.Answer> a = http.action(method, base + path, headers, body);
        return a.map(ActionsResource::passThrough).orElseGet(() -> unreachable(service, base));
    }

    private static Response passThrough(ServiceHttp.Answer a) {
        String type = a.contentType().isBlank() ? MediaType.APPLICATION_JSON : a.contentType();
        return Response.status(a.status()).type(type).entity(a.body()).build();
    }

    private static Response unreachable(String service, String url) {
        return ErrorResponses.of(503, service + " does not answer at " + url);
    }
}
