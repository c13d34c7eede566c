package dev.fmnist.support.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.api.ErrorBody;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one check of a request body's announced size, for every service: a body announced larger than the
 * service's {@link Policy} allows for that request, or than the HTTP layer's hard limit
 * ({@code quarkus.http.limits.max-body-size}), gets a 413 the client can read: the one error body
 * ({@link ErrorBody}), after the request body has been read and thrown away. (Header limits are the HTTP
 * layer's, declared once in this module's {@code META-INF/microprofile-config.properties}.)
 * Quarkus' own hard-limit check answers with an empty 413 and closes the connection at once, while the client
 * is still sending; a client that reads the answer only after sending (Python's http.client and requests, curl
 * without {@code Expect}) then fails with "Broken pipe" or "Connection reset" instead of seeing the 413.
 *
 * <p>Bounded: nothing is kept (each chunk is dropped as it arrives); a client announcing more than the limit
 * plus {@link #DRAIN_BYTES} is answered and cut off at once, and so is one that sent
 * {@code Expect: 100-continue} (it waits for the answer before sending). Runs before Quarkus' check (route
 * order -3 against its -2). A body sent without Content-Length is bounded where it is read.
 */
@ApplicationScoped
public class BodySizeGuard {
    /** Most bytes read past the limit to let a client finish sending before the 413 (64 MiB). */
    public static final long DRAIN_BYTES = 64L << 20;
    /** Before Quarkus' max-body-size route (order -2). */
    static final int ROUTE_ORDER = -3;

    /** A service's own limits, lower than the hard one for some requests (one bean per service, optional). */
    public interface Policy {
        /** The most bytes {@code request} may announce; {@link Long#MAX_VALUE} for the hard limit alone. */
        long maxBytes(HttpServerRequest request);

        /** Counts the refusal as the service wishes and says why, for the 413's body. */
        String refuse(HttpServerRequest request, long announced, long max);
    }

    private final long hardLimit;
    private final Policy policy;
    private final ObjectMapper json;

    public BodySizeGuard(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> hardLimit,
                         Instance<Policy> policy, ObjectMapper json) {
        this.hardLimit = hardLimit.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
        this.policy = policy.isResolvable() ? policy.get() : null;
        this.json = json;
    }

    void install(@Observes Router router) {
        if (policy != null || hardLimit < Long.MAX_VALUE) {
            router.route().order(ROUTE_ORDER).handler(this::guard);
        }
    }

    private void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            ctx.next();
            return;
        }
        long announced;
        try {
            announced = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            ctx.next(); // the service answers a malformed Content-Length with its own 400
            return;
        }
        if (announced > hardLimit) {
            refuse(request, ctx.response(), announced - hardLimit, body("request body of " + announced
                    + " bytes exceeds the server's hard limit of " + hardLimit + " bytes"));
            return;
        }
        long max = policy == null ? hardLimit : policy.maxBytes(request);
        if (announced <= max) {
            ctx.next();
            return;
        }
        refuse(request, ctx.response(), announced - max, body(policy.refuse(request, announced, max)));
    }

    /**
     * Answers after the body has arrived (dropped as it comes), unless it is far over or not coming yet; over
     * HTTP/2 (an h2c upgrade included) only the stream ends, the connection serves others.
     */
    private static void refuse(HttpServerRequest request, HttpServerResponse response, long excess, Buffer body) {
        response.setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (request.version() == HttpVersion.HTTP_2) {
            response.end(body);
            return;
        }
        response.putHeader(HttpHeaders.CONNECTION, "close");
        boolean expectsContinue = "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
        if (expectsContinue || excess > DRAIN_BYTES || request.isEnded()) {
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

    private Buffer body(String reason) {
        try {
            return Buffer.buffer(json.writeValueAsBytes(new ErrorBody(reason)));
        } catch (JsonProcessingException e) {
            return Buffer.buffer("{\"error\":\"request body too large\"}");
        }
    }
}
