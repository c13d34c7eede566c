package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules (monitoring/prometheus/fmnist-alerts.yml): loaded by both Prometheus configs, each one
 * documented and tested firing and not firing by its promtool unit tests, which promtool runs here (CI installs
 * Debian's prometheus for promtool; without it those two checks are skipped with a message).
 */
class PrometheusRulesTest {
    static final Path RULES = Repo.path("monitoring/prometheus/fmnist-alerts.yml");
    private static final Path TESTS = Repo.path("monitoring/prometheus/fmnist-alerts.test.yml");
    private static final String FILE = "fmnist-alerts.yml";

    @Test
    void everyAlertHasASeverityASummaryAndADescriptionAndWatchesInferenceSeries() {
        List<JsonNode> alerts = AlertRules.alerts(RULES);
        assertTrue(alerts.size() >= 4, "drift, refused, rolled back, shadow drops: " + alerts.size());
        Set<String> names = new HashSet<>();
        for (JsonNode rule : alerts) {
            String name = rule.path("alert").asText();
            assertTrue(names.add(name), "alert names are unique: " + name);
            assertTrue(Set.of("warning", "critical").contains(rule.at("/labels/severity").asText()), name + " severity");
            assertFalse(rule.at("/annotations/summary").asText().isBlank(), name + " summary");
            assertFalse(rule.at("/annotations/description").asText().isBlank(), name + " description");
            Set<String> metrics = DashboardMetrics.namesIn(rule.path("expr").asText());
            assertFalse(metrics.isEmpty(), name + " queries a metric");
            assertTrue(metrics.stream().allMatch(m -> m.startsWith("fmnist_inference_")), name + ": " + metrics);
            assertTrue(rule.path("expr").asText().contains("model"), name + " keeps the model label");
        }
        assertTrue(AlertRules.names(RULES).containsAll(Set.of("fmnist_inference_drift_active",
                "fmnist_inference_alerts_total", "fmnist_inference_shadow_dropped_total")), AlertRules.names(RULES).toString());
    }

    /** A unit test that only ever expects silence (or only an alert) would pass a rule that never (or always) fires. */
    @Test
    void everyAlertIsUnitTestedFiringAndSilent() {
        JsonNode tests = Repo.yaml(TESTS);
        assertEquals(List.of(FILE), ComposeFileTest.texts(tests.path("rule_files")));
        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? silent : firing).add(check.path("alertname").asText());
            }
        }
        for (JsonNode rule : AlertRules.alerts(RULES)) {
            String name = rule.path("alert").asText();
            assertTrue(firing.contains(name), name + " is never expected to fire in " + TESTS.getFileName());
            assertTrue(silent.contains(name), name + " is never expected to stay silent in " + TESTS.getFileName());
        }
    }

    @Test
    void composeAndKubernetesPrometheusLoadTheRules() {
        for (String config : List.of("monitoring/prometheus/prometheus.yml", "monitoring/prometheus/prometheus-k8s.yml")) {
            assertEquals(List.of(FILE), ComposeFileTest.texts(Repo.yaml(Repo.path(config)).path("rule_files")), config);
        }
        JsonNode generator = Repo.yaml(Repo.path("monitoring/kustomization.yaml")).path("configMapGenerator");
        boolean inConfigMap = false;
        for (JsonNode map : generator) {
            if (map.path("name").asText().equals("prometheus-config")) {
                inConfigMap = ComposeFileTest.texts(map.path("files")).contains("prometheus/" + FILE);
            }
        }
        assertTrue(inConfigMap, "the prometheus-config ConfigMap carries " + FILE + " beside prometheus.yml");
    }

    @Test
    void promtoolChecksTheRules() {
        Optional<Path> promtool = Repo.executable("promtool");
        assumeTrue(promtool.isPresent(), "promtool not installed (apt-get install -y prometheus)");
        Repo.ProcessResult result = Repo.run(List.of(promtool.get().toString(), "check", "rules", RULES.toString()));
        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void promtoolUnitTestsPass() {
        Optional<Path> promtool = Repo.executable("promtool");
        assumeTrue(promtool.isPresent(), "promtool not installed (apt-get install -y prometheus)");
        Repo.ProcessResult result = Repo.run(List.of(promtool.get().toString(), "test", "rules", TESTS.toString()));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("SUCCESS"), result.output());
    }
}
