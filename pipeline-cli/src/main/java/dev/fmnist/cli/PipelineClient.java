package dev.fmnist.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.fmnist.api.ErrorBody;
import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.PublishStatus;
import dev.fmnist.api.TrainingStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The few HTTP calls the launcher makes to the services (JSON over loopback). Bodies are read into the
 * services' own types of {@code service-api}, so a field renamed there fails the build here.
 */
public final class PipelineClient {
    /** Fields a newer service adds are ignored; the ones read here are checked by the compiler. */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /**
     * HTTP/1.1: the services are on loopback, and the JDK client's default h2c upgrade once stalled a
     * 130 KB /q/metrics body for good (seen in CI); no call may wait longer than {@link #CALL_TIMEOUT}.
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** The longest a call may take, body included (the request timeout covers only the response headers). */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private final Settings settings;

    public PipelineClient(Settings settings) {
        this.settings = settings;
    }

    /** An HTTP answer: status and parsed JSON body (null when the body is not JSON). */
    public record Answer(int status, JsonNode body, String raw) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /** The body as a service's type. @throws CliException when it is not that type */
        public <T> T as(Class<T> type) {
            try {
                return JSON.treeToValue(body, type);
            } catch (IOException | IllegalArgumentException e) {
                throw new CliException("unexpected answer (HTTP " + status + "), not a " + type.getSimpleName()
                        + ": " + raw);
            }
        }

        /** The reason of an error answer: its {@code error}, or the raw text when it is not the error body. */
        public String reason() {
            String error = body != null && body.isObject() ? as(ErrorBody.class).error() : null;
            return error != null ? error : raw;
        }
    }

    public Optional<Answer> get(Component c, String path) {
        return send(HttpRequest.newBuilder(URI.create(settings.baseUrl(c) + path)).GET());
    }

    /** A GET of an admin-only read (inference's versions), with the admin token of {@code $FMNIST_HOME}. */
    public Optional<Answer> getAsAdmin(Component c, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.baseUrl(c) + path)).GET();
        adminToken().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return send(request);
    }

    /** Every POST carries the admin token of {@code $FMNIST_HOME} when there is one (it also acts as writer). */
    public Optional<Answer> post(Component c, String path, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(settings.baseUrl(c) + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        adminToken().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return send(request);
    }

    private Optional<String> adminToken() {
        Path file = settings.home().resolve(Credentials.ADMIN_TOKEN_FILE);
        try {
            return Files.isReadable(file) ? Optional.of(Files.readString(file).trim()).filter(t -> !t.isEmpty())
                    : Optional.empty();
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Empty when the service does not answer at all (not started yet, or gone). */
    private Optional<Answer> send(HttpRequest.Builder request) {
        CompletableFuture<HttpResponse<String>> call = http.sendAsync(request.timeout(CALL_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> r = call.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode body;
            try {
                body = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
            } catch (IOException e) {
                body = null;
            }
            return Optional.of(new Answer(r.statusCode(), body, r.body()));
        } catch (ExecutionException | TimeoutException e) {
            call.cancel(true);
            return Optional.empty();
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    public boolean live(Component c) {
        return get(c, "/q/health/live").map(Answer::ok).orElse(false);
    }

    /** The trainer's status document, if it answers. */
    public Optional<TrainingStatus> training() {
        return get(Component.TRAINER, "/api/v1/training").filter(Answer::ok).map(a -> a.as(TrainingStatus.class));
    }

    /** Ingest's running or last publication, if there is one. */
    public Optional<PublishStatus> publication() {
        return get(Component.INGEST, "/api/v1/datasets/fashion-mnist/publish").filter(Answer::ok)
                .filter(a -> a.body() != null).map(a -> a.as(PublishStatus.class));
    }

    /** The inference service's live model, if one is loaded. */
    public Optional<ModelInfo> model() {
        return get(Component.INFERENCE, "/api/v1/model").filter(Answer::ok).map(a -> a.as(ModelInfo.class));
    }

    /**
     * Version {@code version} of the default model as inference describes it (its promotion {@code state} and
     * {@code reason}), if inference retains it and the admin token is there to ask.
     */
    public Optional<ModelInfo> version(long version) {
        return getAsAdmin(Component.INFERENCE, "/api/v1/model/versions").filter(Answer::ok)
                .map(a -> a.as(ModelInfo.Versions.class))
                .flatMap(v -> v.versions().stream().filter(m -> m.version() == version).findFirst());
    }

    /** The version inference serves of one model ({@code ?model=NAME}), if it serves one. */
    public Optional<ModelInfo> model(String modelName) {
        return get(Component.INFERENCE, "/api/v1/model?model=" + java.net.URLEncoder.encode(modelName,
                java.nio.charset.StandardCharsets.UTF_8)).filter(Answer::ok).map(a -> a.as(ModelInfo.class));
    }
}
