package dev.fmnist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The few HTTP calls the launcher makes to the services (JSON over loopback). */
public final class PipelineClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Settings settings;

    public PipelineClient(Settings settings) {
        this.settings = settings;
    }

    /** An HTTP answer: status and parsed JSON body (null when the body is not JSON). */
    public record Answer(int status, JsonNode body, String raw) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    public Optional<Answer> get(Component c, String path) {
        return send(HttpRequest.newBuilder(URI.create(settings.baseUrl(c) + path)).GET());
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
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
            } catch (IOException e) {
                body = null;
            }
            return Optional.of(new Answer(r.statusCode(), body, r.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    public boolean live(Component c) {
        return get(c, "/q/health/live").map(Answer::ok).orElse(false);
    }

    /** The trainer's status document, if it answers. */
    public Optional<JsonNode> training() {
        return get(Component.TRAINER, "/api/v1/training").filter(Answer::ok).map(Answer::body);
    }

    /** The inference service's live model, if one is loaded. */
    public Optional<JsonNode> model() {
        return get(Component.INFERENCE, "/api/v1/model").filter(Answer::ok).map(Answer::body);
    }
}
