package dev.fmnist.console.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest value of each panel of the page (an SSE event name with a JSON body), and the open
 * event streams. A new stream first gets every current value, in the order the values were first published
 * (the page relies on it: {@code models} names the models before any event of a model), then each change as
 * it happens; an
 * unchanged value is not sent again, so the browser never polls and never receives a whole
 * history twice.
 */
@ApplicationScoped
public class EventHub {
    private final ObjectMapper json;
    private final Map<String, String> latest = new LinkedHashMap<>();
    private Sse sse;
    private SseBroadcaster broadcaster;

    public EventHub(ObjectMapper json) {
        this.json = json;
    }

    /** Sets a panel's value; streams get it if it differs from the previous one. */
    public void publish(String event, Object value) {
        String data;
        try {
            data = json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + event + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            if (data.equals(latest.get(event))) {
                return;
            }
            latest.put(event, data);
            if (broadcaster != null) {
                broadcaster.broadcast(sse.newEventBuilder().name(event).mediaType(MediaType.TEXT_PLAIN_TYPE).data(data).build());
            }
        }
    }

    /** Adds a stream: it receives every current value now and every change later. */
    public synchronized void register(SseEventSink sink, Sse sse) {
        if (broadcaster == null) {
            this.sse = sse;
            this.broadcaster = sse.newBroadcaster();
        }
        for (var e : latest.entrySet()) {
            sink.send(sse.newEventBuilder().name(e.getKey()).mediaType(MediaType.TEXT_PLAIN_TYPE).data(e.getValue()).build());
        }
        broadcaster.register(sink);
    }

    /** A comment-free keep-alive so proxies keep idle streams open and closed ones are noticed. */
    public synchronized void heartbeat(long epochMillis) {
        if (broadcaster != null) {
            broadcaster.broadcast(sse.newEventBuilder().name("heartbeat").data(Long.toString(epochMillis)).build());
        }
    }

    /** The current value of a panel as JSON, or null (for tests and the snapshot endpoint). */
    public synchronized String current(String event) {
        return latest.get(event);
    }

    public synchronized Map<String, String> all() {
        return new LinkedHashMap<>(latest);
    }
}
