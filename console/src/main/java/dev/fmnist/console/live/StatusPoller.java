package dev.fmnist.console.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fmnist.api.ModelInfo;
import dev.fmnist.api.OnlineAccuracy;
import dev.fmnist.api.PublishStatus;
import dev.fmnist.api.TrainingStatus;
import dev.fmnist.console.client.InferenceApi;
import dev.fmnist.console.client.ServiceClients;
import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.model.ModelFamily;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Polls the services' typed status endpoints once per {@code poll-interval} through their REST clients
 * (trainer run status, the served version of each followed model, the default route's model on every
 * replica, ingest's publication progress, inference's online accuracy) and hands each answer to the page through the {@link EventHub}, which forwards only
 * changes. The browser itself never polls.
 */
@ApplicationScoped
public class StatusPoller {
    private static final Logger LOG = Logger.getLogger(StatusPoller.class);
    private static final long HEARTBEAT_MILLIS = 15_000;
    private static final int SWAPS_KEPT = 20;

    private final ConsoleConfig config;
    private final ServiceClients clients;
    private final EventHub hub;
    private final SnapshotView snapshots;
    private final QualityService quality;
    private final ObjectMapper json;
    private final Map<ModelFamily, Deque<Map<String, Object>>> swaps = new EnumMap<>(ModelFamily.class);
    private final Map<ModelFamily, Long> lastServed = new EnumMap<>(ModelFamily.class);
    private long lastHeartbeat;
    private volatile boolean running;
    private Thread thread;

    public StatusPoller(ConsoleConfig config, ServiceClients clients, EventHub hub, SnapshotView snapshots,
                        QualityService quality, ObjectMapper json) {
        this.config = config;
        this.clients = clients;
        this.hub = hub;
        this.snapshots = snapshots;
        this.quality = quality;
        this.json = json;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "console-status-poller");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        while (running) {
            try {
                pollOnce();
            } catch (RuntimeException e) {
                LOG.warnf("status poll failed: %s", e.getMessage());
            }
            try {
                Thread.sleep(config.pollInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round over every status endpoint. */
    public void pollOnce() {
        pollTrainer();
        pollModels();
        pollReplicas();
        pollIngest();
        pollOnlineAccuracy();
        long now = System.currentTimeMillis();
        if (now - lastHeartbeat >= HEARTBEAT_MILLIS) {
            hub.heartbeat(now);
            lastHeartbeat = now;
        }
    }

    /** A status call's outcome: the body, or the service's error (HTTP status and message), or no answer at all. */
    private record Answer<T>(boolean reachable, T body, int status, String error) {
        boolean ok() {
            return body != null;
        }
    }

    private <T> Answer<T> call(Supplier<T> request) {
        try {
            return new Answer<>(true, request.get(), 200, null);
        } catch (WebApplicationException e) {
            return new Answer<>(true, null, e.getResponse().getStatus(), errorOf(e));
        } catch (ProcessingException e) {
            return new Answer<>(false, null, 0, null); // down, starting, unreachable, or no answer in time
        }
    }

    /** The {@code error} of the service's error body, or the HTTP status. */
    private String errorOf(WebApplicationException e) {
        try {
            JsonNode body = json.readTree(e.getResponse().readEntity(String.class));
            if (body != null && body.hasNonNull("error")) {
                return body.get("error").asText();
            }
        } catch (Exception unreadable) {
            // not the services' error body: the status says enough
        }
        return "HTTP " + e.getResponse().getStatus();
    }

    private void pollTrainer() {
        Answer<TrainingStatus> a = call(clients.trainer()::status);
        if (!a.ok()) {
            hub.publish("training", Map.of("reachable", false, "url", config.trainerUrl()));
            return;
        }
        snapshots.fillFromTrainerHistory(a.body().history() == null ? List.of() : a.body().history());
        ObjectNode view = json.valueToTree(a.body());
        view.remove("history"); // the curves come from the snapshots; only the status travels here
        view.put("reachable", true);
        hub.publish("training", view);
    }

    /** Each followed model's served version ({@code ?model=NAME}), its swaps, and the wish to score it. */
    private void pollModels() {
        for (ModelFamily family : snapshots.families()) {
            pollModel(family);
        }
    }

    private void pollModel(ModelFamily family) {
        Answer<ModelInfo> a = call(() -> clients.inference().model(family.modelName()));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", family.modelName());
        view.put("url", config.inferenceUrl());
        long served = -1;
        Deque<Map<String, Object>> seen = swaps.computeIfAbsent(family, f -> new ArrayDeque<>());
        if (!a.reachable()) {
            view.put("reachable", false);
        } else {
            view.put("reachable", true);
            if (a.ok()) {
                view.put("model", a.body());
                served = a.body().version();
            } else {
                view.put("error", a.error());
            }
            if (served > 0 && served != lastServed.getOrDefault(family, -1L)) {
                Map<String, Object> swap = new LinkedHashMap<>();
                swap.put("version", served);
                swap.put("loadedAt", a.body().loadedAt() == null ? null : a.body().loadedAt().toString());
                swap.put("seenAt", Instant.now().toString());
                seen.addFirst(swap);
                while (seen.size() > SWAPS_KEPT) {
                    seen.removeLast();
                }
                lastServed.put(family, served);
            }
        }
        view.put("swaps", List.copyOf(seen));
        hub.publish("model." + family.modelName(), view);
        if (served > 0) {
            quality.served(family, served);
        }
    }

    private void pollReplicas() {
        List<Map<String, Object>> replicas = new ArrayList<>();
        List<String> urls = replicaUrls();
        for (String url : urls) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("url", url);
            InferenceApi replica = clients.replica(url, urls);
            Answer<ModelInfo> a = call(() -> replica.model(null)); // the default route, as clients without ?model= get
            r.put("reachable", a.reachable());
            if (a.ok()) {
                r.put("version", a.body().version());
                r.put("epoch", a.body().epoch());
                r.put("loadedAt", a.body().loadedAt() == null ? null : a.body().loadedAt().toString());
                r.put("pinned", a.body().pinned());
            } else if (a.reachable()) {
                r.put("error", a.error());
            }
            replicas.add(r);
        }
        hub.publish("replicas", Map.of("replicas", replicas,
                "discovery", config.inferenceReplicasDns().map(d -> "dns " + d).orElse("configured list")));
    }

    /** Each replica's base URL: every address of the headless Service, or the configured list. */
    List<String> replicaUrls() {
        if (config.inferenceReplicasDns().isPresent()) {
            String spec = config.inferenceReplicasDns().get();
            int colon = spec.lastIndexOf(':');
            String host = colon > 0 ? spec.substring(0, colon) : spec;
            String port = colon > 0 ? spec.substring(colon + 1) : "8080";
            try {
                List<String> urls = new ArrayList<>();
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    String ip = address.getHostAddress();
                    urls.add("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
                }
                urls.sort(null);
                return urls;
            } catch (UnknownHostException e) {
                return List.of();
            }
        }
        return config.inferenceReplicas().filter(l -> !l.isEmpty()).orElse(List.of(config.inferenceUrl()));
    }

    private void pollIngest() {
        Answer<PublishStatus> a = call(clients.ingest()::publication);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("reachable", a.reachable());
        if (a.ok()) {
            view.put("publication", a.body());
        } else if (a.status() == 404) {
            view.put("publication", null); // nothing published since the service started
        } else if (a.reachable()) {
            view.put("error", a.error());
        }
        hub.publish("ingest", view);
    }

    private void pollOnlineAccuracy() {
        Answer<OnlineAccuracy> a = call(clients.inference()::accuracy);
        if (!a.ok()) {
            hub.publish("online", Map.of("reachable", a.reachable()));
            return;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("reachable", true);
        view.put("accuracy", a.body().accuracy());
        view.put("versions", a.body().versions());
        hub.publish("online", view);
    }
}
