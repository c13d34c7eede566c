package dev.fmnist.support.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.api.ErrorBody;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * A path that no route takes, outside JAX-RS too ({@code /nope}, {@code /q/nope}: Quarkus REST hands
 * such requests on to Vert.x, whose default answer is an HTML page), is answered with the JSON 404 of
 * {@link HttpErrorMappers}. Registered as the router's last route, so every real route comes first.
 */
@Singleton
public class UnmatchedRoutes {
    private final ObjectMapper json;

    public UnmatchedRoutes(ObjectMapper json) {
        this.json = json;
    }

    void register(@Observes Router router) {
        router.route().last().handler(this::notFound);
    }

    private void notFound(RoutingContext rc) {
        String body;
        try {
            body = json.writeValueAsString(new ErrorBody("no resource at " + rc.request().method() + " " + rc.request().path()));
        } catch (JsonProcessingException e) {
            body = "{\"error\":\"no resource\"}";
        }
        rc.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}
