package dev.fmnist.support.rest;

import dev.fmnist.api.ErrorBody;
import dev.fmnist.contracts.image.DecodeBusyException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The JSON answers of the failures every service has alike: every {@link ApiException} (a refusal with
 * its status and Retry-After, a refused flag among them), a spent decode budget (503), any HTTP error Quarkus REST or a resource
 * raises (an unknown path 404, a method the path does not take 405, 415, 406 ...),
 * and the unexpected (500, logged with its stack, answered without details).
 * Mapped at {@link #FALLBACK}, below the default priority, so a service's own mapper of the same type
 * wins, e.g. to count a refusal; it answers with {@link #reason} and {@link #answer} all the same.
 */
public class HttpErrorMappers {
    /** Lower than {@link Priorities#USER}, the default of {@code @ServerExceptionMapper}: services' mappers win. */
    public static final int FALLBACK = Priorities.USER + 1000;

    private static final Logger LOG = Logger.getLogger(HttpErrorMappers.class);
    /** Headers of an HTTP error that tell the client what to do next; the rest of its answer is replaced. */
    private static final String RETRY_AFTER = "Retry-After";
    private static final List<String> KEPT_HEADERS = List.of(RETRY_AFTER, HttpHeaders.WWW_AUTHENTICATE, HttpHeaders.ALLOW);

    /** A refusal caused by an infrastructure failure (Kafka did not take a record) is logged with that cause. */
    @ServerExceptionMapper(priority = FALLBACK)
    public Response api(ApiException e, ContainerRequestContext request) {
        if (e.getCause() != null) {
            LOG.warnf("%s answered %d: %s", where(request), e.status(), e.getMessage());
        }
        return ErrorResponses.of(e);
    }

    /** The decode budget is spent by concurrent decodes: the image itself is fine, retry shortly. */
    @ServerExceptionMapper(priority = FALLBACK)
    public Response busy(DecodeBusyException e) {
        return ErrorResponses.builder(503, new ErrorBody(e.getMessage()))
                .header(RETRY_AFTER, Long.toString(e.retryAfterSeconds())).build();
    }

    @ServerExceptionMapper(priority = FALLBACK)
    public Response web(WebApplicationException e, ContainerRequestContext request) {
        return answer(e, reason(e, request));
    }

    /** The safety net: logged with its stack, answered 500 without details. */
    @ServerExceptionMapper(priority = FALLBACK)
    public Response unexpected(Throwable e, ContainerRequestContext request) {
        LOG.errorf(e, "unexpected failure on %s", where(request));
        return ErrorResponses.of(500, "internal error: " + e.getClass().getSimpleName());
    }

    /**
     * The reason of an HTTP error. 404 and 405 say what was asked (and what the path allows, when the
     * exception knows): Quarkus REST raises them for an unknown path or method with a text about its
     * own matching. Another status keeps the exception's own message, unless that is only JAX-RS'
     * default ("HTTP 415 Unsupported Media Type").
     */
    public static String reason(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        if (status == 404) {
            return "no resource at " + where(request);
        }
        if (status == 405) {
            Set<String> allowed = new TreeSet<>(e.getResponse().getAllowedMethods());
            return request.getMethod() + " is not allowed on " + request.getUriInfo().getRequestUri().getPath()
                    + (allowed.isEmpty() ? "" : "; allowed: " + String.join(", ", allowed));
        }
        String m = e.getMessage();
        if (m != null && !m.isBlank() && !m.startsWith("HTTP " + status)) {
            return m;
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        return (type == null ? "HTTP " + status : type.getReasonPhrase()) + ": " + where(request);
    }

    /** The error answer of {@code e}: its status, the JSON body, and the headers that say what to do next. */
    public static Response answer(WebApplicationException e, String reason) {
        Response.ResponseBuilder answer = ErrorResponses.builder(e.getResponse().getStatus(), new ErrorBody(reason));
        for (String name : KEPT_HEADERS) {
            String value = e.getResponse().getHeaderString(name);
            if (value != null) {
                answer.header(name, value);
            }
        }
        return answer.build();
    }

    private static String where(ContainerRequestContext request) {
        return request.getMethod() + " " + request.getUriInfo().getRequestUri().getPath();
    }
}
