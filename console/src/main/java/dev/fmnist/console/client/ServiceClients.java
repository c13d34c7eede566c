package dev.fmnist.console.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.console.config.ConsoleConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The REST clients of the services (the console's only way to learn about them besides the topics). Each
 * service has two: one for status polls ({@code poll-timeout}; a non-2xx answer is a
 * {@link jakarta.ws.rs.WebApplicationException}) and one for forwarded actions ({@code action-timeout}; every
 * answer is a {@link jakarta.ws.rs.core.Response} to pass through). Built from the configured URLs rather
 * than {@code @RegisterRestClient}, because the replicas' URLs are only known at run time (DNS).
 */
@ApplicationScoped
public class ServiceClients {
    private static final String DEFAULT_MAPPER_DISABLED = "microprofile.rest.client.disable.default.mapper";
    private final ConsoleConfig config;
    private final LenientJson json;
    private final InferenceApi inference;
    private final InferenceApi inferenceActions;
    private final TrainerApi trainer;
    private final TrainerApi trainerActions;
    private final IngestApi ingest;
    private final Map<String, InferenceApi> replicas = new ConcurrentHashMap<>();

    public ServiceClients(ConsoleConfig config, ObjectMapper mapper) {
        this.config = config;
        this.json = new LenientJson(mapper);
        this.inference = status(InferenceApi.class, config.inferenceUrl());
        this.inferenceActions = actions(InferenceApi.class, config.inferenceUrl());
        this.trainer = status(TrainerApi.class, config.trainerUrl());
        this.trainerActions = actions(TrainerApi.class, config.trainerUrl());
        this.ingest = status(IngestApi.class, config.ingestUrl());
    }

    public InferenceApi inference() {
        return inference;
    }

    public InferenceApi inferenceActions() {
        return inferenceActions;
    }

    public TrainerApi trainer() {
        return trainer;
    }

    public TrainerApi trainerActions() {
        return trainerActions;
    }

    public IngestApi ingest() {
        return ingest;
    }

    /**
     * The status client of one replica; those of replicas no longer in {@code current} are closed (pods come
     * and go; the five fixed clients live as long as the console).
     */
    public InferenceApi replica(String url, Collection<String> current) {
        replicas.keySet().stream().filter(u -> !current.contains(u)).toList()
                .forEach(gone -> close(replicas.remove(gone)));
        return replicas.computeIfAbsent(url, u -> status(InferenceApi.class, u));
    }

    private <T> T status(Class<T> api, String url) {
        return builder(url, config.pollTimeout()).build(api);
    }

    private <T> T actions(Class<T> api, String url) {
        return builder(url, config.actionTimeout()).property(DEFAULT_MAPPER_DISABLED, true).build(api);
    }

    private QuarkusRestClientBuilder builder(String url, Duration timeout) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url)).followRedirects(false).register(json)
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void close(Object client) {
        if (client instanceof Closeable c) {
            try {
                c.close();
            } catch (IOException e) {
                // a replica that is gone: nothing left to do about its connections
            }
        }
    }
}
