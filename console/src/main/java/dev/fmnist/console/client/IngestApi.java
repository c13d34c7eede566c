package dev.fmnist.console.client;

import dev.fmnist.api.PublishStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Ingest's public API as the console uses it. */
@Path("/api/v1/datasets/fashion-mnist/publish")
public interface IngestApi {
    /** The running or last publication; 404 when none ran since the service started. */
    @GET
    PublishStatus publication();
}
