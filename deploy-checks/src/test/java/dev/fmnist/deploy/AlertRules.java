package dev.fmnist.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The alerting rules of a Prometheus rule file and the metric names they query, for a check against a running
 * service's /q/metrics: {@code AlertRules.names(Path.of("monitoring/prometheus/fmnist-alerts.yml"))}.
 */
public final class AlertRules {
    private AlertRules() {
    }

    /** Every alerting rule of every group (recording rules left out). */
    public static List<JsonNode> alerts(Path ruleFile) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode group : Repo.yaml(ruleFile).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    out.add(rule);
                }
            }
        }
        return out;
    }

    /** Sorted metric names the alerting rules query. */
    public static Set<String> names(Path ruleFile) {
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : alerts(ruleFile)) {
            names.addAll(DashboardMetrics.namesIn(rule.path("expr").asText()));
        }
        return names;
    }
}
