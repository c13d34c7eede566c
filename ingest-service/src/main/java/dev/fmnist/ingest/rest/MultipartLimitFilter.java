package dev.fmnist.ingest.rest;

import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.images.RejectReason;
import dev.fmnist.ingest.service.IngestMetrics;
import dev.fmnist.support.rest.ContentLength;
import dev.fmnist.support.rest.ErrorResponses;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Multipart uploads are spooled to {@code quarkus.http.body.uploads-directory} (a small /tmp in the
 * container) before the resource runs, and the server-wide body limit is the bulk-zip limit. So a
 * multipart body that announces a Content-Length beyond {@code fmnist.ingest.upload.max-bytes} plus
 * the form's overhead is refused before a byte is written to disk. A chunked one cannot be judged in
 * advance; {@code quarkus.http.limits.max-body-size} bounds it, and the spooled file is deleted when
 * the request ends.
 */
public class MultipartLimitFilter {
    /** Room for the boundaries, part headers and the label/invert fields of the form. */
    static final long FORM_OVERHEAD_BYTES = 64 * 1024;

    private final long maxBytes;
    private final IngestMetrics metrics;

    public MultipartLimitFilter(IngestConfig config, IngestMetrics metrics) {
        this.maxBytes = config.upload().maxBytes() + FORM_OVERHEAD_BYTES;
        this.metrics = metrics;
    }

    @ServerRequestFilter(preMatching = true)
    public Response checkMultipart(ContainerRequestContext request) {
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith(MediaType.MULTIPART_FORM_DATA)) {
            return null;
        }
        // chunked (many HTTP clients send multipart so): only quarkus.http.limits.max-body-size bounds it
        long announced = ContentLength.announced(request).orElse(0);
        if (announced <= maxBytes) {
            return null;
        }
        metrics.rejected(RejectReason.TOO_LARGE);
        return json(413, "multipart upload of " + announced + " bytes exceeds the limit of " + maxBytes
                + " bytes (fmnist.ingest.upload.max-bytes plus the form)");
    }

    private static Response json(int status, String error) {
        return ErrorResponses.of(status, error);
    }
}
