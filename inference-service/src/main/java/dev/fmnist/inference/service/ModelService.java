package dev.fmnist.inference.service;

import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.promotion.PromotionPolicy;
import dev.fmnist.support.rest.ApiException;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The served models ({@code fmnist.inference.models}), one {@link ServedModel} (registry, meters) per
 * model name, and the default one a request that names none goes to ({@code fmnist.inference.default-model}).
 * A model is named by its family id or model name ({@link ModelFamily#parse}). A configuration naming an
 * unknown family, no family, or a default that is not served stops the service at startup with the
 * reason ({@link Startup}: built eagerly, not at the first request).
 */
@Startup
@ApplicationScoped
public class ModelService {
    private final Map<String, ServedModel> byName;
    private final ServedModel defaultModel;

    public ModelService(InferenceConfig config, PromotionPolicy promotion, InferenceMetrics metrics) {
        Map<String, ServedModel> served = new LinkedHashMap<>();
        for (String entry : config.models()) {
            ModelFamily family = family("fmnist.inference.models", entry);
            served.putIfAbsent(family.modelName(),
                    new ServedModel(family, config.keepVersions(), promotion.gates(family.modelName()).policy(),
                            metrics.model(family.modelName())));
        }
        if (served.isEmpty()) {
            throw new IllegalArgumentException("fmnist.inference.models lists no model: give one or more of "
                    + List.of(ModelFamily.values()).stream().map(ModelFamily::id).toList());
        }
        this.byName = Collections.unmodifiableMap(served);
        String first = served.keySet().iterator().next();
        String chosen = config.defaultModel().filter(d -> !d.isBlank())
                .map(d -> family("fmnist.inference.default-model", d).modelName()).orElse(first);
        this.defaultModel = byName.get(chosen);
        if (defaultModel == null) {
            throw new IllegalArgumentException("fmnist.inference.default-model '" + config.defaultModel().get()
                    + "' is not served: it must be one of fmnist.inference.models " + byName.keySet());
        }
    }

    private static ModelFamily family(String property, String value) {
        try {
            return ModelFamily.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage() + " (or its model name fmnist-<id>)");
        }
    }

    /** The served models in configured order. */
    public List<ServedModel> served() {
        return new ArrayList<>(byName.values());
    }

    /** The served model names in configured order. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The model a request that names none goes to (every Kafka request too). */
    public ServedModel defaultModel() {
        return defaultModel;
    }

    /** The served model of this exact model name (as records on the topics are keyed), if served. */
    public Optional<ServedModel> byName(String modelName) {
        return Optional.ofNullable(modelName == null ? null : byName.get(modelName));
    }

    /**
     * The model a request names by family id or model name ({@code cnn}, {@code fmnist-cnn}); the default
     * one for null.
     *
     * @throws ApiException (404) naming the served models, for a model that is unknown or not served here
     */
    public ServedModel model(String requested) {
        if (requested == null) {
            return defaultModel;
        }
        ServedModel m = null;
        try {
            m = byName.get(ModelFamily.parse(requested).modelName());
        } catch (IllegalArgumentException e) {
            // an unknown family is answered like a known one not served here
        }
        if (m == null) {
            throw ApiException.notFound("unknown model '" + requested + "': not served here; served: " + names()
                    + " (default " + defaultModel.name() + "; name one by family id or model name)");
        }
        return m;
    }

    /**
     * The {@code model} tag for a request naming {@code requested}: the served model's name, or
     * {@value InferenceMetrics#UNKNOWN_MODEL} (a fixed value, whatever a client sends).
     */
    public String tagOf(String requested) {
        try {
            return model(requested).name();
        } catch (ApiException e) {
            return InferenceMetrics.UNKNOWN_MODEL;
        }
    }

    /** Whether every served model has a live version (the readiness rule). */
    public boolean allLive() {
        return byName.values().stream().allMatch(m -> m.live() != null);
    }
}
