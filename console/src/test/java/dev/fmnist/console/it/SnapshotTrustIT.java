package dev.fmnist.console.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.console.live.EventHub;
import dev.fmnist.console.live.SnapshotView;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.contracts.model.TensorShape;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The console shows only the snapshots inference would serve (issue 22), on a real broker: a snapshot
 * signed with the trainer's Ed25519 key is shown; an unsigned one and one signed with a foreign key, both
 * of higher versions, are refused (one WARN each, with the reason); one signed properly but published in a
 * transaction that is aborted is never seen (read committed). None of the refused or aborted versions
 * appears in the event stream the page reads (snapshots, curves) nor in the view the quality panel scores.
 * Its own model (mlp, followed alone: the single-model view), so ConsoleIT's records (softmax, cnn) and these never meet.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(SnapshotTrustIT.TrustProfile.class)
class SnapshotTrustIT {
    static final ModelFamily FAMILY = ModelFamily.MLP;
    static final String MODEL = FAMILY.modelName();
    /** A valid key pair the console does not trust: what a forger holds. */
    static final SnapshotSigning FOREIGN = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);

    /** ConsoleIT's settings (no services), another model. */
    public static class TrustProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new ConsoleIT.NoServices().getConfigOverrides());
            config.put("fmnist.console.models", MODEL); // one model: the single-model view
            return config;
        }
    }

    @Inject
    EventHub hub;
    @Inject
    SnapshotView view;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @TestHTTPResource("/api/events")
    URI events;

    @Test
    void onlyTheSignedCommittedSnapshotIsShownAndEachRefusalIsLoggedOnce() throws Exception {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger viewLog = java.util.logging.Logger.getLogger(SnapshotView.class.getName());
        viewLog.addHandler(capture);
        try {
            Map<String, Object> plain = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(plain, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                // (a) signed with the trainer's key, as the trainer does
                send(producer, key(5), WeightSnapshotCodec.encode(snapshot(5, 1, 0.70), ConsoleIT.SIGNING));
                // (b) unsigned and (b') forged, both newer: what inference refuses
                send(producer, key(6), WeightSnapshotCodec.encode(snapshot(6, 2, 0.90)));
                send(producer, key(7), WeightSnapshotCodec.encode(snapshot(7, 3, 0.95), FOREIGN));
            }
            // (c) properly signed, but its transaction is aborted (a fenced trainer)
            Map<String, Object> transactional = new HashMap<>(plain);
            transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "snapshot-trust-it");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(transactional, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                send(producer, key(8), WeightSnapshotCodec.encode(snapshot(8, 4, 0.99), ConsoleIT.SIGNING));
                producer.flush();
                producer.abortTransaction();
            }
            // a last refused record after the aborted transaction: once it is counted, everything before was read
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(plain, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                send(producer, key(9), WeightSnapshotCodec.encode(snapshot(10, 5, 0.50), ConsoleIT.SIGNING));
            }

            JsonNode snapshots = awaitEvent("snapshots." + MODEL, s -> s.path("refused").asLong() >= 3);
            assertEquals(3, snapshots.path("refused").asLong(), snapshots.toString());
            assertEquals(List.of(5L), versions(snapshots.path("versions")), "only the signed, committed snapshot is listed");
            JsonNode curves = awaitEvent("curves." + MODEL, c -> c.path("points").size() >= 1);
            assertEquals(1, curves.path("points").size(), curves.toString());
            assertEquals(5, curves.at("/points/0/modelVersion").asLong());
            assertEquals(0.70, curves.at("/points/0/testAccuracy").asDouble(), 1e-12);

            // what a browser opening the page receives: the same, and none of the refused or aborted versions
            Map<String, JsonNode> stream = firstEvents(List.of("snapshots." + MODEL, "curves." + MODEL));
            assertEquals(List.of(5L), versions(stream.get("snapshots." + MODEL).path("versions")), stream.toString());
            assertEquals(List.of(5L), modelVersions(stream.get("curves." + MODEL).path("points")), stream.toString());

            // the quality panel scores only what the view holds: the aborted v8 (signed properly) is not there
            assertTrue(view.version(FAMILY, 5).isPresent());
            for (long v : new long[] {6, 7, 8, 9, 10}) {
                assertTrue(view.version(FAMILY, v).isEmpty(), "v" + v + " is not held");
            }

            List<String> messages = warnings.stream()
                    .map(r -> r.getParameters() == null ? r.getMessage()
                            : String.format(r.getMessage(), r.getParameters()))
                    .toList();
            assertEquals(3, messages.size(), "one WARN per refused record: " + messages);
            assertTrue(messages.get(0).contains("refused snapshot") && messages.get(0).contains("signature missing"),
                    messages.get(0));
            assertTrue(messages.get(1).contains("signature does not verify"), messages.get(1));
            assertTrue(messages.get(2).contains("names version 9"), messages.get(2));
        } finally {
            viewLog.removeHandler(capture);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, byte[] key, byte[] value) throws Exception {
        // one partition, so the order of reading is the order of writing
        producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, 0, key, value)).get();
    }

    private static byte[] key(long version) {
        return SnapshotKeys.key(MODEL, version);
    }

    private static List<Long> versions(JsonNode list) {
        List<Long> out = new ArrayList<>();
        list.forEach(v -> out.add(v.path("version").asLong()));
        return out;
    }

    private static List<Long> modelVersions(JsonNode points) {
        List<Long> out = new ArrayList<>();
        points.forEach(p -> out.add(p.path("modelVersion").asLong()));
        return out;
    }

    private JsonNode awaitEvent(String event, Predicate<JsonNode> done) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String current = hub.current(event);
            last.set(current == null ? null : json.readTree(current));
            return last.get() != null && done.test(last.get());
        });
        return last.get();
    }

    /** Opens the page's event stream and reads the current values it starts with, until all of {@code names} came. */
    private Map<String, JsonNode> firstEvents(List<String> names) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(events).header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        Map<String, JsonNode> seen = new LinkedHashMap<>();
        try (InputStream body = response.body();
             var lines = new java.io.BufferedReader(new java.io.InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            for (String line = lines.readLine(); line != null && !seen.keySet().containsAll(names); line = lines.readLine()) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:") && event != null) {
                    seen.put(event, json.readTree(line.substring(5).strip()));
                }
            }
        }
        assertTrue(seen.keySet().containsAll(names), "the stream starts with " + seen.keySet());
        return seen;
    }

    private static WeightSnapshot snapshot(long version, int epoch, double testAccuracy) {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (TensorShape shape : FAMILY.architecture().parameters()) {
            float[] t = new float[shape.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) Math.sin(i + version) * 0.01f;
            }
            tensors.put(shape.name(), t);
        }
        return new WeightSnapshot(MODEL, version, epoch, epoch * 10L, new Network(FAMILY.architecture(), tensors),
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), new WeightSnapshot.Metrics(0.5, 0.8, testAccuracy),
                List.of(new WeightSnapshot.SourceOffset(Topics.TRAIN, 0, version)), Instant.ofEpochMilli(1_700_000_000_000L),
                WeightSnapshot.Plan.NONE);
    }
}
