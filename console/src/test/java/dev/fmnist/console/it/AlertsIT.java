package dev.fmnist.console.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Alerts on a real broker: records written to fmnist.alerts with the contracts' codec and signed with
 * inference's model-control key reach the page's event stream ({@code GET /api/events}, event {@code alerts}):
 * listed newest first, the active ones (a drift, a refusal) in the banner; a record the codec refuses, an
 * unsigned forgery and one signed by another key are skipped, counted by reason ({@code /q/metrics}) and never
 * shown. Also: the stream names the followed models before any event of a model (the page listens to a model's
 * events once it knows its name).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@TestProfile(ConsoleIT.NoServices.class)
class AlertsIT {
    /** Inference's model-control key in these tests: its public half is %test.fmnist.model-control.public-keys. */
    static final SnapshotSigning CONTROL = SnapshotSigning.signer("Y29uc29sZS10ZXN0LW1vZGVsLWNvbnRyb2wta2V5LTA=", null);
    /** A valid key the console does not trust: what someone who can write to the topic may hold. */
    static final SnapshotSigning OTHER = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);
    @TestHTTPResource("/q/metrics")
    URI metrics;
    @TestHTTPResource("/api/events")
    URI events;
    @Inject
    ObjectMapper json;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    /** One server-sent event. */
    record Event(String name, String data) {
    }

    @Test
    void alertsOnTheTopicReachTheEventStreamAndTheBanner() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Alert promoted = new Alert(Alert.Kind.PROMOTED, "fmnist-softmax", Map.of("candidate", 2L, "previous", 1L),
                "v2 scored 0.8273 >= live 0.8100 - 0.005", Map.of("testAccuracy", 0.8273), "inference-0", now.minusSeconds(30));
        Alert refused = new Alert(Alert.Kind.REFUSED, "fmnist-softmax", Map.of("candidate", 3L, "live", 2L),
                "v3 scored 0.0435 < live 0.8273 - 0.005", Map.of("testAccuracy", 0.0435), "inference-0", now.minusSeconds(20));
        Alert drift = new Alert(Alert.Kind.DRIFT, "fmnist-cnn", Map.of("live", 1L),
                "request pixels no longer look like the training data", Map.of("psi.meanIntensity", 3.2), "inference-1",
                now.minusSeconds(10));
        // forgeries: what anyone who can produce to the topic could write
        Alert forgedRollback = new Alert(Alert.Kind.ROLLED_BACK, "fmnist-softmax", Map.of("from", 2L, "to", 1L),
                "FORGED: v2 rolled back", Map.of(), "inference-0", now.minusSeconds(5));
        Alert forgedPromotion = new Alert(Alert.Kind.PROMOTED, "fmnist-softmax", Map.of("candidate", 99L),
                "FORGED: v99 promoted", Map.of(), "inference-0", now.minusSeconds(4));
        Alert forgedDrift = new Alert(Alert.Kind.DRIFT, "fmnist-softmax", Map.of("live", 2L),
                "FORGED: drift", Map.of(), "inference-0", now.minusSeconds(3));
        String genuineTampered = new String(AlertCodec.encode(refused, CONTROL), StandardCharsets.UTF_8)
                .replace("\"refused\"", "\"rolled-back\"");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-softmax"), AlertCodec.encode(promoted, CONTROL))).get();
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-softmax"), "{\"kind\":".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-softmax"), AlertCodec.encode(forgedRollback, null))).get();
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-softmax"), AlertCodec.encode(forgedPromotion, OTHER))).get();
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-softmax"), AlertCodec.encode(forgedDrift, OTHER))).get();
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-softmax"), genuineTampered.getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-softmax"), AlertCodec.encode(refused, CONTROL))).get();
            producer.send(new ProducerRecord<>(Topics.ALERTS, key("fmnist-cnn"), AlertCodec.encode(drift, CONTROL))).get();
        }

        List<Event> seen = new ArrayList<>();
        JsonNode alerts = json.readTree(readUntil(seen, e -> {
            if (!e.name().equals("alerts")) {
                return false;
            }
            JsonNode v = json.readTree(e.data());
            return v.path("alerts").size() == 3 && v.path("undecodable").asLong() == 5;
        }).data());

        assertEquals(8, alerts.path("received").asLong());
        for (JsonNode a : alerts.path("alerts")) {
            assertTrue(!a.path("reason").asText().startsWith("FORGED") && !a.path("kind").asText().equals("rolled-back"),
                    "a forgery is never listed: " + a);
        }
        assertEquals(List.of("drift", "refused", "promoted"), kinds(alerts.path("alerts")), "newest first");
        JsonNode first = alerts.at("/alerts/0");
        assertEquals("fmnist-cnn", first.path("model").asText());
        assertEquals(1, first.at("/versions/live").asLong());
        assertEquals(3.2, first.at("/figures/psi.meanIntensity").asDouble());
        assertEquals("inference-1", first.path("source").asText());
        assertEquals(drift.time().toString(), first.path("time").asText());
        assertEquals("request pixels no longer look like the training data", first.path("reason").asText());

        assertEquals(List.of("drift", "refused"), kinds(alerts.path("active")), "the banner: drift and the refusal, not the promotion");
        assertEquals(drift.time().plus(Duration.ofSeconds(alerts.path("driftActiveSeconds").asLong())).toString(),
                alerts.at("/active/0/until").asText(), "a drift stands until its clearing, at most drift-alert-active");
        assertEquals(Duration.ofHours(24).toSeconds(), alerts.path("driftActiveSeconds").asLong());
        String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(exposition.contains("fmnist_console_alerts_refused_total{reason=\"unsigned\"} 1.0"), exposition);
        assertTrue(exposition.contains("fmnist_console_alerts_refused_total{reason=\"forged\"} 3.0"), exposition);
        assertTrue(exposition.contains("fmnist_console_alerts_refused_total{reason=\"malformed\"} 1.0"), exposition);
        assertEquals(3, alerts.at("/active/1/versions/candidate").asLong());

        int models = indexOf(seen, "models");
        assertTrue(models >= 0, "the stream names the models");
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).name().contains(".fmnist-")) {
                assertTrue(i > models, "event " + seen.get(i).name() + " came before \"models\"");
            }
        }
    }

    private interface Check {
        boolean done(Event e) throws Exception;
    }

    /** Reads the event stream (collecting every event into {@code seen}) until one passes {@code check}. */
    private Event readUntil(List<Event> seen, Check check) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(events).header("Accept", "text/event-stream").build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        try (Stream<String> lines = response.body()) {
            return CompletableFuture.supplyAsync(() -> {
                Iterator<String> it = lines.iterator();
                String name = null;
                StringBuilder data = new StringBuilder();
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    } else if (line.isEmpty() && name != null) {
                        Event e = new Event(name, data.toString());
                        seen.add(e);
                        name = null;
                        data.setLength(0);
                        try {
                            if (check.done(e)) {
                                return e;
                            }
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    }
                }
                throw new IllegalStateException("the event stream ended; events: " + seen.stream().map(Event::name).toList());
            }).get(60, TimeUnit.SECONDS);
        }
    }

    private static int indexOf(List<Event> seen, String name) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> kinds(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(a -> out.add(a.path("kind").asText()));
        return out;
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }
}
