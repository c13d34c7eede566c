package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker-compose.yml parses, builds what exists, and wires the services the way the docs say. */
class ComposeFileTest {
    private static final JsonNode COMPOSE = Repo.yaml(Repo.path("docker-compose.yml"));
    static final Map<String, Integer> SERVICE_PORTS = Map.of(
            "ingest-service", 8081, "trainer-service", 8082, "inference-service", 8080);

    @Test
    void servicesTakeTheirTokensFromDotEnvAndStopWithAReasonWithoutThem() {
        Map<String, List<String>> needed = Map.of(
                "trainer-service", List.of("FMNIST_AUTH_ADMIN_TOKENS"),
                "inference-service", List.of("FMNIST_AUTH_ADMIN_TOKENS"),
                "ingest-service", List.of("FMNIST_AUTH_ADMIN_TOKENS", "FMNIST_AUTH_WRITER_TOKENS"));
        for (var entry : needed.entrySet()) {
            JsonNode env = COMPOSE.path("services").path(entry.getKey()).path("environment");
            for (String name : entry.getValue()) {
                String value = env.path(name).asText();
                String source = name.contains("ADMIN") ? "FMNIST_ADMIN_TOKEN" : "FMNIST_WRITER_TOKEN";
                assertTrue(value.startsWith("${" + source + ":?set " + source + " in .env"),
                        entry.getKey() + " " + name + " = " + value);
            }
        }
    }

    @Test
    void onlyTheTrainerGetsTheSnapshotPrivateKeyAndTheReadersItsPublicKey() {
        assertTrue(COMPOSE.at("/services/trainer-service/environment/FMNIST_SNAPSHOTS_SIGNING_KEY").asText()
                .startsWith("${FMNIST_SNAPSHOT_KEY:?"));
        for (String reader : List.of("inference-service", "console")) {
            JsonNode env = COMPOSE.path("services").path(reader).path("environment");
            assertTrue(env.path("FMNIST_SNAPSHOTS_PUBLIC_KEYS").asText().startsWith("${FMNIST_SNAPSHOT_PUBLIC_KEY:?"), reader);
            env.fields().forEachRemaining(e -> assertFalse(e.getValue().asText().contains("${FMNIST_SNAPSHOT_KEY"),
                    reader + " gets the snapshot private key in " + e.getKey()));
        }
        assertTrue(COMPOSE.at("/services/inference-service/environment/FMNIST_MODEL_CONTROL_SIGNING_KEY").asText()
                .startsWith("${FMNIST_MODEL_CONTROL_KEY:?"));
        // the console verifies inference's alerts with the model-control public key, and holds no private one
        assertTrue(COMPOSE.at("/services/console/environment/FMNIST_MODEL_CONTROL_PUBLIC_KEYS").asText()
                .startsWith("${FMNIST_MODEL_CONTROL_PUBLIC_KEY:?"));
        COMPOSE.path("services").path("console").path("environment").fields().forEachRemaining(e ->
                assertFalse(e.getValue().asText().contains("${FMNIST_MODEL_CONTROL_KEY"), "console " + e.getKey()));
    }

    /** A published port's host address: 127.0.0.1 unless FMNIST_BIND_HOST says otherwise (as for ./fmnist up). */
    static final String LOCAL_UNLESS_TOLD = "${FMNIST_BIND_HOST:-127.0.0.1}:";

    @Test
    void everyPortIsPublishedOnThisMachineOnlyByDefaultAndKafkaAlways() {
        COMPOSE.path("services").fields().forEachRemaining(service -> {
            for (String port : texts(service.getValue().path("ports"))) {
                if (service.getKey().equals("kafka")) {
                    assertEquals("127.0.0.1:9094:9094", port, "Kafka's PLAINTEXT host listener is on 127.0.0.1 only");
                } else {
                    assertTrue(port.startsWith(LOCAL_UNLESS_TOLD), service.getKey() + " publishes " + port);
                }
            }
        });
    }

    @Test
    void grafanasAdminLoginHasItsOwnPasswordFromDotEnvNotTheDefaultOne() {
        assertTrue(COMPOSE.at("/services/grafana/environment/GF_SECURITY_ADMIN_PASSWORD").asText()
                .startsWith("${FMNIST_GRAFANA_ADMIN_PASSWORD:?set FMNIST_GRAFANA_ADMIN_PASSWORD in .env"));
    }

    @Test
    void kafkaAndTheServicesAreStartedAgainWhenTheyExit() {
        for (String name : List.of("kafka", "ingest-service", "trainer-service", "inference-service", "console")) {
            assertEquals("on-failure", COMPOSE.path("services").path(name).path("restart").asText(), name);
        }
    }

    @Test
    void hasTheExpectedServices() {
        List<String> names = new ArrayList<>();
        COMPOSE.path("services").fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("kafka", "kafka-topics", "ingest-service", "trainer-service", "inference-service",
                "console", "prometheus", "grafana"), names);
    }

    @Test
    void serviceBuildContextsAndDockerfilesExist() {
        for (var entry : SERVICE_PORTS.entrySet()) {
            JsonNode service = COMPOSE.path("services").path(entry.getKey());
            Path context = Repo.path(service.path("build").path("context").asText()).normalize();
            assertEquals(Repo.ROOT, context, entry.getKey() + " builds with the repository root as context");
            String dockerfileName = service.path("build").path("dockerfile").asText();
            assertEquals(entry.getKey() + "/src/main/docker/Dockerfile.jvm", dockerfileName, entry.getKey());
            Path dockerfile = context.resolve(dockerfileName);
            assertTrue(Files.isRegularFile(dockerfile), "missing " + dockerfile);
            assertEquals("fmnist/" + entry.getKey() + ":0.1.0", service.path("image").asText());
            assertEquals(List.of(LOCAL_UNLESS_TOLD + entry.getValue() + ":" + entry.getValue()),
                    texts(service.path("ports")));
            assertEquals("kafka:9092", service.path("environment").path("KAFKA_BOOTSTRAP_SERVERS").asText());
            assertEquals(String.valueOf(entry.getValue()), service.path("environment").path("QUARKUS_HTTP_PORT").asText());
            assertEquals("service_completed_successfully",
                    service.path("depends_on").path("kafka-topics").path("condition").asText(),
                    entry.getKey() + " starts after the topics exist");
        }
        assertEquals("true", COMPOSE.at("/services/ingest-service/environment/FMNIST_INGEST_PUBLISH_ON_START").asText());
    }

    @Test
    void kafkaIsTheOfficialImageInKraftModeWithAHealthcheck() {
        JsonNode kafka = COMPOSE.path("services").path("kafka");
        assertEquals("apache/kafka:4.1.2", kafka.path("image").asText());
        assertEquals("broker,controller", kafka.path("environment").path("KAFKA_PROCESS_ROLES").asText());
        assertEquals("false", kafka.path("environment").path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText());
        assertTrue(kafka.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText().contains("PLAINTEXT://kafka:9092"));
        assertTrue(kafka.path("healthcheck").path("test").toString().contains("kafka-broker-api-versions.sh"));

        JsonNode topics = COMPOSE.path("services").path("kafka-topics");
        assertEquals("apache/kafka:4.1.2", topics.path("image").asText());
        assertEquals("service_healthy", topics.path("depends_on").path("kafka").path("condition").asText());
        assertEquals(List.of("/bin/bash", "/scripts/create-topics.sh"), texts(topics.path("entrypoint")));
    }

    @Test
    void everyBindMountExists() {
        int mounts = 0;
        for (JsonNode service : COMPOSE.path("services")) {
            for (String volume : texts(service.path("volumes"))) {
                String source = volume.split(":")[0];
                if (source.startsWith("./")) {
                    assertTrue(Files.exists(Repo.path(source)), "bind mount source missing: " + source);
                    mounts++;
                }
            }
        }
        assertEquals(5, mounts, "topic script, Prometheus config and alerting rules, Grafana provisioning and dashboards");
    }

    @Test
    void prometheusGetsTheAlertingRulesItsConfigLoads() {
        // prometheus.yml names fmnist-alerts.yml relative to itself: without this mount Prometheus starts with no rules
        assertTrue(texts(COMPOSE.path("services").path("prometheus").path("volumes"))
                .contains("./monitoring/prometheus/fmnist-alerts.yml:/etc/prometheus/fmnist-alerts.yml:ro"));
    }

    @Test
    void grafanaHomeDashboardIsTheMountedFile() {
        JsonNode grafana = COMPOSE.path("services").path("grafana");
        String home = grafana.path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
        assertEquals("/var/lib/grafana/dashboards/fmnist-pipeline.json", home);
        assertTrue(texts(grafana.path("volumes")).contains("./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro"));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
