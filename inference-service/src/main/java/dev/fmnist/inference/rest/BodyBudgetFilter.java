package dev.fmnist.inference.rest;

import dev.fmnist.api.ErrorBody;
import dev.fmnist.contracts.memory.ByteBudget;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.support.rest.ErrorResponses;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The one policy for how much memory request bodies may take together ({@code
 * fmnist.inference.body-budget-bytes}): the HTTP layer reads a byte[] body whole before the resource
 * sees it, so without a bound a burst of large bodies (each under the size limit) exhausts the heap
 * although every single one is legal. Each request with a body reserves its size before it is read and
 * gives it back when its response is done; one that does not fit right now gets 503 with Retry-After.
 * Runs after service-support's BodySizeGuard (a Vert.x route), so a body over the size limit still gets its 413.
 */
public class BodyBudgetFilter {
    private static final Logger LOG = Logger.getLogger(BodyBudgetFilter.class);
    /** Share of the max heap the body budget gets when fmnist.inference.body-budget-bytes is unset. */
    static final double DEFAULT_HEAP_FRACTION = 0.25;
    private static final String RETRY_AFTER_SECONDS = "1";

    private final ByteBudget budget;
    private final long unknownLength;
    private final InferenceMetrics metrics;
    private final ModelService models;

    public BodyBudgetFilter(InferenceConfig config,
                            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> hardLimit,
                            InferenceMetrics metrics, ModelService models) {
        long total = config.bodyBudgetBytes().orElseGet(() -> ByteBudget.heapShare(DEFAULT_HEAP_FRACTION));
        this.budget = new ByteBudget("request body budget", total);
        // a body without Content-Length may grow to the hard limit before it is refused; at most the whole budget
        long limit = hardLimit.map(MemorySize::asLongValue).orElse(config.maxBodyBytes());
        this.unknownLength = Math.min(limit, budget.totalBytes());
        this.metrics = metrics;
        this.models = models;
        LOG.infof("request bodies may hold %d MiB together (a body without Content-Length counts as %d MiB)",
                budget.totalBytes() >> 20, unknownLength >> 20);
    }

    @ServerRequestFilter(preMatching = true, priority = Priorities.USER + 100)
    public Response reserve(ContainerRequestContext request, RoutingContext routing) {
        String announced = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        long bytes;
        if (announced != null) {
            bytes = parseLength(announced);
        } else if (mayCarryBodyOfUnknownLength(routing)) {
            bytes = unknownLength;
        } else {
            return null;
        }
        if (bytes <= 0) {
            return null;
        }
        // over the whole budget (a Content-Length between a lowered budget and the size limit): never fits
        Optional<ByteBudget.Lease> lease = budget.fits(bytes) ? budget.tryAcquire(bytes) : Optional.empty();
        if (lease.isPresent()) {
            ByteBudget.Lease held = lease.get();
            routing.addEndHandler(done -> held.close());
            return null;
        }
        if (request.getUriInfo().getPath().startsWith("/api/v1/classify")) {
            metrics.rejectedRequest(models.tagOf(request.getUriInfo().getQueryParameters().getFirst(ClassifyResource.MODEL)),
                    ContentKind.ofHeader(request.getHeaderString(HttpHeaders.CONTENT_TYPE)), Outcome.BUSY);
        }
        String reason = "too many request bodies are being received at once (" + bytes + " bytes needed, "
                + budget.availableBytes() + " of " + budget.totalBytes() + " free"
                + (announced != null ? "" : "; a body without Content-Length counts as " + unknownLength)
                + "): try again shortly";
        return ErrorResponses.builder(503, new ErrorBody(reason)).header("Retry-After", RETRY_AFTER_SECONDS).build();
    }

    /** @throws BadRequestException (a JSON 400) when the header is not a number */
    private static long parseLength(String announced) {
        try {
            return Long.parseLong(announced.trim());
        } catch (NumberFormatException e) {
            throw new BadRequestException("invalid Content-Length " + announced);
        }
    }

    /** HTTP/1.1 says so with Transfer-Encoding; HTTP/2 may send a body of any request without announcing it. */
    private static boolean mayCarryBodyOfUnknownLength(RoutingContext routing) {
        HttpMethod method = routing.request().method();
        boolean withBody = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
        if (!withBody) {
            return false;
        }
        return routing.request().version() == HttpVersion.HTTP_2
                || routing.request().getHeader(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING) != null;
    }
}
