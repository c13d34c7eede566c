package dev.fmnist.support.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.api.ErrorBody;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body announced larger than the HTTP layer's hard limit ({@code quarkus.http.limits.max-body-size}) gets
 * a 413 the client can read: the one error body ({@link ErrorBody}), after the request body has been read
 * and thrown away.
 * Quarkus' own check answers with an empty 413 and closes the connection at once, while the client is still
 * sending; a client that reads the answer only after sending (Python's http.client and requests, curl
 * without {@code Expect}) then fails with "Broken pipe" or "Connection reset" instead of seeing the 413.
 *
 * <p>Bounded: nothing is kept (each chunk is dropped as it arrives); a client announcing more than the limit
 * plus {@link #DRAIN_BYTES} is answered and cut off at once, and so is one that sent
 * {@code Expect: 100-continue} (it waits for the answer before sending). Runs before Quarkus' check (route
 * order -3 against its -2), so the services' own, lower limits (e.g. {@code fmnist.inference.max-body-bytes})
 * still answer first for the bodies between the two.
 */
@ApplicationScoped
public class OversizeBodyGuard {
    /** Most bytes read past the limit to let a client finish sending before the 413 (64 MiB). */
    public static final long DRAIN_BYTES = 64L << 20;
    /** Before Quarkus' max-body-size route (order -2). */
    static final int ROUTE_ORDER = -3;

    private final Optional<MemorySize> limit;
    private final ObjectMapper json;

    public OversizeBodyGuard(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> limit,
                             ObjectMapper json) {
        this.limit = limit;
        this.json = json;
    }

    void install(@Observes Router router) {
        limit.ifPresent(max -> router.route().order(ROUTE_ORDER).handler(ctx -> guard(ctx, max.asLongValue())));
    }

    private void guard(RoutingContext ctx, long max) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        long announced;
        try {
            announced = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            ctx.next(); // the service answers a malformed Content-Length with its own 400
            return;
        }
        if (announced <= max) {
            ctx.next();
            return;
        }
        Buffer body = Buffer.buffer(body("request body of " + announced + " bytes exceeds the server's hard limit of "
                + max + " bytes"));
        HttpServerResponse response = ctx.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close");
        boolean expectsContinue = "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
        if (expectsContinue || announced - max > DRAIN_BYTES || request.isEnded()) {
            response.end(body).onComplete(done -> request.connection().close());
            return;
        }
        request.handler(chunk -> {
            // dropped: only its arrival matters
        });
        request.exceptionHandler(e -> request.connection().close());
        request.endHandler(end -> response.end(body).onComplete(done -> request.connection().close()));
        request.resume();
    }

    private String body(String reason) {
        try {
            return json.writeValueAsString(new ErrorBody(reason));
        } catch (JsonProcessingException e) {
            return "{\"error\":\"request body too large\"}";
        }
    }
}
