package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DashboardMetricsTest {

    @Test
    void keepsSeriesNamesAndDropsFunctionsLabelsDurationsAndVariables() {
        assertEquals(Set.of("fmnist_inference_latency_seconds_bucket"), DashboardMetrics.namesIn(
                "histogram_quantile(0.99, sum by (le, app) (rate(fmnist_inference_latency_seconds_bucket{app=\"inference-service\", instance=~\"$instance\"}[$__rate_interval])))"));
        assertEquals(Set.of("a_total", "b_total"), DashboardMetrics.namesIn(
                "sum(rate(a_total{outcome!=\"ok\"}[5m])) / ignoring(outcome) group_left sum(rate(b_total[5m])) or vector(0)"));
        assertEquals(Set.of("jvm_memory_used_bytes"), DashboardMetrics.namesIn(
                "sum without (id) (jvm_memory_used_bytes{area=\"heap\"}) offset 1m"));
        assertEquals(Set.of("x"), DashboardMetrics.namesIn("max_over_time(x[1h:1m]) > bool 0.5"));
        assertEquals(Set.of("up"), DashboardMetrics.namesIn("up{job=~\"${job:regex}\"} == 1e3"));
    }

    @Test
    void readsTargetsOfNestedPanelsAndQueryVariables() throws Exception {
        var dashboard = JsonMapper.builder().build().readTree("""
                {"panels": [
                   {"type": "row", "panels": [{"targets": [{"expr": "rate(a_total[1m])"}]}]},
                   {"targets": [{"expr": "b"}, {"expr": ""}]}],
                 "templating": {"list": [
                   {"type": "query", "query": {"query": "label_values(c{app=\\"x\\"}, instance)"}},
                   {"type": "custom", "query": "1,2"}]}}
                """);
        assertEquals(List.of("rate(a_total[1m])", "b", "c{app=\"x\"}"), DashboardMetrics.expressions(dashboard));
    }
}
