package dev.fmnist.ingest.rest;

import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.images.RejectReason;
import dev.fmnist.ingest.service.IngestMetrics;
import dev.fmnist.support.rest.BodySizeGuard;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * Multipart uploads are spooled to {@code quarkus.http.body.uploads-directory} (a small /tmp in the
 * container) before the resource runs, and the server-wide body limit is the bulk-zip limit. So a
 * multipart body that announces a Content-Length beyond {@code fmnist.ingest.upload.max-bytes} plus
 * the form's overhead is refused (by service-support's {@link BodySizeGuard}) before a byte is written to
 * disk. A chunked one cannot be judged in advance; {@code quarkus.http.limits.max-body-size} bounds it, and
 * the spooled file is deleted when the request ends.
 */
@Singleton
public class MultipartLimitPolicy implements BodySizeGuard.Policy {
    /** Room for the boundaries, part headers and the label/invert fields of the form. */
    static final long FORM_OVERHEAD_BYTES = 64 * 1024;

    private final long maxBytes;
    private final IngestMetrics metrics;

    public MultipartLimitPolicy(IngestConfig config, IngestMetrics metrics) {
        this.maxBytes = config.upload().maxBytes() + FORM_OVERHEAD_BYTES;
        this.metrics = metrics;
    }

    @Override
    public long maxBytes(HttpServerRequest request) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        boolean multipart = type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
        return multipart ? maxBytes : Long.MAX_VALUE;
    }

    @Override
    public String refuse(HttpServerRequest request, long announced, long max) {
        metrics.rejected(RejectReason.TOO_LARGE);
        return "multipart upload of " + announced + " bytes exceeds the limit of " + max
                + " bytes (fmnist.ingest.upload.max-bytes plus the form)";
    }
}
