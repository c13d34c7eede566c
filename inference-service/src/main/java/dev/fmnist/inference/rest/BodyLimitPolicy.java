package dev.fmnist.inference.rest;

import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.support.rest.BodySizeGuard;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;

/**
 * {@link BodyLimit} for the announced Content-Length of every request: service-support's {@link BodySizeGuard}
 * answers 413 before the body is read; refusals of {@code /api/v1/classify} are counted. A chunked body (no
 * Content-Length) is checked while it is read (see {@link ClassifyResource}).
 */
@Singleton
public class BodyLimitPolicy implements BodySizeGuard.Policy {
    private final BodyLimit limit;
    private final InferenceMetrics metrics;
    private final ModelService models;

    public BodyLimitPolicy(BodyLimit limit, InferenceMetrics metrics, ModelService models) {
        this.limit = limit;
        this.metrics = metrics;
        this.models = models;
    }

    @Override
    public long maxBytes(HttpServerRequest request) {
        return limit.maxBytes();
    }

    @Override
    public String refuse(HttpServerRequest request, long announced, long max) {
        if (request.path().startsWith("/api/v1/classify")) {
            metrics.rejectedRequest(models.tagOf(request.getParam(ClassifyResource.MODEL)),
                    ContentKind.ofHeader(request.getHeader(HttpHeaders.CONTENT_TYPE)), Outcome.TOO_LARGE);
        }
        return limit.tooLarge(announced).getMessage();
    }
}
