package dev.fmnist.console.rest;

import dev.fmnist.console.live.EventHub;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /api/events}: the page's one live feed (server-sent events). Each event is named
 * after a panel (training, replicas, online, ingest, data, deadLetters, alerts, models, comparison, and per
 * model curves.MODEL, snapshots.MODEL, model.MODEL, quality.MODEL) and carries that panel's whole current
 * value as JSON.
 */
@Path("/api/events")
public class EventsResource {
    private final EventHub hub;

    public EventsResource(EventHub hub) {
        this.hub = hub;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context SseEventSink sink, @Context Sse sse) {
        hub.register(sink, sse);
    }
}
