package dev.fmnist.console.live;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jakarta.enterprise.context.ApplicationScoped;
import dev.fmnist.console.config.ConsoleConfig;

/** HTTP calls to the services' public APIs (the console's only way to learn about them besides the topics). */
@ApplicationScoped
public class ServiceHttp {
    private final HttpClient http;
    private final ConsoleConfig config;

    public ServiceHttp(ConsoleConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.pollTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A service's answer: status, content type and body. */
    public record Answer(int status, String contentType, byte[] body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A status poll: empty when the service does not answer (down, starting, unreachable). */
    public Optional<Answer> get(String url) {
        return send("GET", url, Map.of(), null, config.pollTimeout());
    }

    /** A proxied action: empty when the service does not answer. */
    public Optional<Answer> action(String method, String url, Map<String, String> headers, byte[] body) {
        return send(method, url, headers, body, config.actionTimeout());
    }

    private Optional<Answer> send(String method, String url, Map<String, String> headers, byte[] body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return Optional.of(new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
