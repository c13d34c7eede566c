package dev.fmnist.console.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fmnist.console.config.ConsoleConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Polls the services' small status endpoints once per {@code poll-interval} (trainer run status,
 * the served model on every replica, ingest's publication progress, inference's online-accuracy
 * metrics) and hands each answer to the page through the {@link EventHub}, which forwards only
 * changes. The browser itself never polls.
 */
@ApplicationScoped
public class StatusPoller {
    private static final Logger LOG = Logger.getLogger(StatusPoller.class);
    private static final long HEARTBEAT_MILLIS = 15_000;
    private static final int SWAPS_KEPT = 20;
    private static final Pattern METRIC = Pattern.compile(
            "^(fmnist_inference_accuracy_(?:correct|labelled)_total|fmnist_inference_accuracy_online)(\\{[^}]*})?\\s+(\\S+)");
    private static final Pattern VERSION_LABEL = Pattern.compile("model_version=\"([^\"]*)\"");

    private final ConsoleConfig config;
    private final ServiceHttp http;
    private final EventHub hub;
    private final SnapshotView snapshots;
    private final QualityService quality;
    private final ObjectMapper json;
    private final Deque<Map<String, Object>> swaps = new ArrayDeque<>();
    private long lastServed = -1;
    private long lastHeartbeat;
    private volatile boolean running;
    private Thread thread;

    public StatusPoller(ConsoleConfig config, ServiceHttp http, EventHub hub, SnapshotView snapshots,
                        QualityService quality, ObjectMapper json) {
        this.config = config;
        this.http = http;
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
        pollModel();
        pollReplicas();
        pollIngest();
        pollOnlineAccuracy();
        long now = System.currentTimeMillis();
        if (now - lastHeartbeat >= HEARTBEAT_MILLIS) {
            hub.heartbeat(now);
            lastHeartbeat = now;
        }
    }

    private void pollTrainer() {
        Optional<JsonNode> status = getJson(config.trainerUrl() + "/api/v1/training");
        if (status.isEmpty()) {
            hub.publish("training", Map.of("reachable", false, "url", config.trainerUrl()));
            return;
        }
        JsonNode t = status.get();
        snapshots.fillFromTrainerHistory(t.path("history"));
        ObjectNode view = t.deepCopy();
        view.remove("history"); // the curves come from the snapshots; only the status travels here
        view.put("reachable", true);
        hub.publish("training", view);
    }

    private void pollModel() {
        Optional<ServiceHttp.Answer> a = http.get(config.inferenceUrl() + "/api/v1/model");
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("url", config.inferenceUrl());
        long served = -1;
        if (a.isEmpty()) {
            view.put("reachable", false);
        } else {
            view.put("reachable", true);
            JsonNode body = parse(a.get());
            if (a.get().ok() && body != null) {
                view.put("model", body);
                served = body.path("version").asLong(-1);
            } else {
                view.put("error", body != null && body.hasNonNull("error") ? body.get("error").asText()
                        : "HTTP " + a.get().status());
            }
            if (served > 0 && served != lastServed) {
                Map<String, Object> swap = new LinkedHashMap<>();
                swap.put("version", served);
                swap.put("loadedAt", body.path("loadedAt").asText(null));
                swap.put("seenAt", java.time.Instant.now().toString());
                swaps.addFirst(swap);
                while (swaps.size() > SWAPS_KEPT) {
                    swaps.removeLast();
                }
                lastServed = served;
            }
        }
        view.put("swaps", List.copyOf(swaps));
        hub.publish("model", view);
        if (served > 0) {
            quality.served(served);
        }
    }

    private void pollReplicas() {
        List<Map<String, Object>> replicas = new ArrayList<>();
        for (String url : replicaUrls()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("url", url);
            Optional<ServiceHttp.Answer> a = http.get(url + "/api/v1/model");
            JsonNode body = a.map(this::parse).orElse(null);
            r.put("reachable", a.isPresent());
            if (a.isPresent() && a.get().ok() && body != null) {
                r.put("version", body.path("version").asLong());
                r.put("epoch", body.path("epoch").asInt());
                r.put("loadedAt", body.path("loadedAt").asText(null));
                r.put("pinned", body.path("pinned").asBoolean());
            } else if (a.isPresent()) {
                r.put("error", body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + a.get().status());
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
        Optional<ServiceHttp.Answer> a = http.get(config.ingestUrl() + "/api/v1/datasets/fashion-mnist/publish");
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("reachable", a.isPresent());
        a.ifPresent(answer -> {
            JsonNode body = parse(answer);
            if (answer.ok() && body != null) {
                view.put("publication", body);
            } else if (answer.status() == 404) {
                view.put("publication", null); // nothing published since the service started
            } else {
                view.put("error", body != null && body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + answer.status());
            }
        });
        hub.publish("ingest", view);
    }

    private void pollOnlineAccuracy() {
        Optional<ServiceHttp.Answer> a = http.get(config.inferenceUrl() + "/q/metrics");
        if (a.isEmpty() || !a.get().ok()) {
            hub.publish("online", Map.of("reachable", a.isPresent()));
            return;
        }
        hub.publish("online", parseOnlineAccuracy(a.get().text()));
    }

    /** The online-accuracy series of a Prometheus text page: the gauge and the per-version counters. */
    static Map<String, Object> parseOnlineAccuracy(String page) {
        Double online = null;
        Map<Long, double[]> perVersion = new TreeMap<>();
        for (String line : page.split("\n")) {
            Matcher m = METRIC.matcher(line);
            if (!m.find()) {
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(m.group(3));
            } catch (NumberFormatException e) {
                continue;
            }
            if (m.group(1).equals("fmnist_inference_accuracy_online")) {
                online = Double.isFinite(value) ? value : null;
                continue;
            }
            Matcher v = VERSION_LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            if (!v.find()) {
                continue;
            }
            long version;
            try {
                version = Long.parseLong(v.group(1));
            } catch (NumberFormatException e) {
                continue;
            }
            double[] c = perVersion.computeIfAbsent(version, k -> new double[2]);
            c[m.group(1).contains("correct") ? 0 : 1] = value;
        }
        List<Map<String, Object>> versions = new ArrayList<>();
        perVersion.forEach((version, c) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("version", version);
            row.put("correct", (long) c[0]);
            row.put("labelled", (long) c[1]);
            row.put("accuracy", c[1] > 0 ? c[0] / c[1] : null);
            versions.add(row);
        });
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("reachable", true);
        view.put("accuracy", online);
        view.put("versions", versions);
        return view;
    }

    private Optional<JsonNode> getJson(String url) {
        return http.get(url).filter(ServiceHttp.Answer::ok).map(this::parse);
    }

    private JsonNode parse(ServiceHttp.Answer a) {
        try {
            return a.body().length == 0 ? null : json.readTree(a.body());
        } catch (IOException e) {
            return null;
        }
    }
}
