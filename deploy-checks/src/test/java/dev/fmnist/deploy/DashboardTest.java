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
import java.util.regex.Pattern;
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
                "latency", "errors", "model version per replica", "online accuracy", "jvm memory", "drift: psi",
                "drift: active", "alerts raised by kind", "shadow scoring: agreement", "drops", "promotion")) {
            assertTrue(titles.stream().anyMatch(t -> t.contains(topic)), "no panel about " + topic + " in " + titles);
        }
    }

    /**
     * Trainer and inference meters carry a {@code model} tag (fmnist-softmax, fmnist-cnn ...): every query of
     * one keeps it (grouped by model, or filtered by the {@code $model} variable of a panel repeated per
     * model), so two models never add up into one line, and the legend names the model.
     */
    /**
     * Inference meters that are about a topic, not a model: the per-partition lag of fmnist.requests (tags topic,
     * partition, group), shown per partition and group.
     */
    private static final Set<String> NOT_PER_MODEL = Set.of("fmnist_inference_requests_lag");

    @Test
    void theKafkaRequestLagIsShownPerPartitionOfTheConsumerGroup() {
        List<String> lagQueries = panels().stream().flatMap(p -> {
            List<String> exprs = new ArrayList<>();
            p.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
            return exprs.stream();
        }).filter(e -> e.contains("fmnist_inference_requests_lag")).toList();
        assertTrue(lagQueries.stream().anyMatch(e -> e.contains("by (group, partition)")),
                "a query per partition and group: " + lagQueries);
        assertTrue(lagQueries.stream().anyMatch(e -> e.startsWith("sum by (group)")), "the group's total: " + lagQueries);
    }

    @Test
    void everyTrainerAndInferenceQueryIsPerModel() {
        Pattern byModel = Pattern.compile("\\b(by|without) \\(([a-z_, ]*\\b)?model\\b");
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                boolean perModelMetric = DashboardMetrics.namesIn(expr).stream()
                        .filter(n -> !NOT_PER_MODEL.contains(n))
                        .anyMatch(n -> n.startsWith("fmnist_trainer_") || n.startsWith("fmnist_inference_"));
                if (!perModelMetric) {
                    continue;
                }
                if (expr.contains("model=~\"$model\"")) {
                    assertEquals("model", panel.path("repeat").asText(), title + " filters by $model, so it repeats per model");
                    continue;
                }
                // every aggregation of the query keeps the label (a ratio of two sums matches on it)
                long aggregations = Pattern.compile("\\b(sum|max|min|avg|count)\\b\\s*(by|without|\\()").matcher(expr).results().count();
                long keeping = byModel.matcher(expr).results().count();
                assertTrue(aggregations > 0 && keeping == aggregations, title + ": every aggregation keeps `model`: " + expr);
                assertTrue(target.path("legendFormat").asText().contains("{{model}}"), title + " names the model in its legend");
            }
        }
        JsonNode variable = JSON.at("/templating/list/0");
        assertEquals("model", variable.path("name").asText());
        assertTrue(variable.path("includeAll").asBoolean() && variable.path("multi").asBoolean(), "all models at once");
        String values = variable.at("/query/query").asText();
        assertTrue(values.startsWith("label_values(fmnist_trainer_") && values.endsWith(", model)"),
                "the variable lists the models the trainer reports: " + values);
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
