package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dashboard parses, every panel queries Prometheus, and it shows what the operations issue asked for. */
class DashboardTest {
    static final Path DASHBOARD = Repo.path("monitoring/grafana/dashboards/fmnist-pipeline.json");
    private static final JsonNode JSON = Repo.json(DASHBOARD);

    @Test
    void everyPanelHasAPrometheusQuery() {
        List<JsonNode> panels = panels();
        assertTrue(panels.size() >= 12, "only " + panels.size() + " panels");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertFalse(title.isBlank(), "panel " + panel.path("id") + " has a title");
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + title);
            assertEquals("prometheus", panel.at("/datasource/uid").asText(), title + " uses the provisioned datasource");
            assertTrue(panel.path("targets").size() >= 1, title + " has a query");
            for (JsonNode target : panel.path("targets")) {
                assertFalse(target.path("expr").asText().isBlank(), title + " has an empty query");
                assertFalse(DashboardMetrics.namesIn(target.path("expr").asText()).isEmpty(),
                        title + " queries no metric: " + target.path("expr").asText());
            }
        }
    }

    @Test
    void identifiesItselfForProvisioningAndTheHomePath() {
        assertEquals("fmnist-pipeline", JSON.path("uid").asText());
        assertFalse(JSON.path("title").asText().isBlank());
        assertEquals("prometheus", Repo.yaml(Repo.path("monitoring/grafana/provisioning/datasources/prometheus.yml"))
                .at("/datasources/0/uid").asText(), "the datasource uid the panels name");
    }

    @Test
    void coversTrainingInferenceAndTheJvm() {
        Set<String> names = DashboardMetrics.names(DASHBOARD);
        for (String prefix : List.of("fmnist_ingest_", "fmnist_trainer_", "fmnist_inference_", "jvm_memory_used_bytes")) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(prefix)), "no metric " + prefix + "* in " + names);
        }
        for (String name : names) {
            assertTrue(name.matches("(fmnist_(ingest|trainer|inference)_|jvm_|process_|http_server_)[a-z0-9_]+"),
                    "unexpected metric name " + name);
        }
        List<String> titles = panels().stream().map(p -> p.path("title").asText().toLowerCase()).toList();
        for (String topic : List.of("training curves", "samples per second", "snapshot version", "request rate",
                "latency", "errors", "model version per replica", "online accuracy", "jvm memory")) {
            assertTrue(titles.stream().anyMatch(t -> t.contains(topic)), "no panel about " + topic + " in " + titles);
        }
    }

    private static List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : JSON.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                panel.path("panels").forEach(out::add);
            } else {
                out.add(panel);
            }
        }
        return out;
    }
}
