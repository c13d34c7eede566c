package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus configs scrape /q/metrics of each service with an `app` label; promtool agrees where installed. */
class PrometheusConfigTest {
    private static final Path COMPOSE_CONFIG = Repo.path("monitoring/prometheus/prometheus.yml");
    private static final Path K8S_CONFIG = Repo.path("monitoring/prometheus/prometheus-k8s.yml");

    @Test
    void composeConfigScrapesEachServiceWithItsAppLabel() {
        Map<String, JsonNode> jobs = new HashMap<>();
        Repo.yaml(COMPOSE_CONFIG).path("scrape_configs").forEach(j -> jobs.put(j.path("job_name").asText(), j));
        for (var entry : ComposeFileTest.SERVICE_PORTS.entrySet()) {
            JsonNode job = jobs.get(entry.getKey());
            assertTrue(job != null, "no scrape job " + entry.getKey());
            assertEquals("/q/metrics", job.path("metrics_path").asText());
            JsonNode sd = job.path("dns_sd_configs").get(0);
            assertEquals(List.of(entry.getKey()), ComposeFileTest.texts(sd.path("names")), "the compose service name");
            assertEquals(entry.getValue().intValue(), sd.path("port").asInt());
            JsonNode relabel = job.path("relabel_configs").get(0);
            assertEquals("app", relabel.path("target_label").asText());
            assertEquals(entry.getKey(), relabel.path("replacement").asText());
        }
    }

    @Test
    void kubernetesConfigKeepsAnnotatedPodsAndLabelsThemLikeCompose() {
        JsonNode job = Repo.yaml(K8S_CONFIG).path("scrape_configs").get(0);
        assertEquals("pod", job.path("kubernetes_sd_configs").get(0).path("role").asText());
        assertEquals(List.of("fmnist"), ComposeFileTest.texts(job.at("/kubernetes_sd_configs/0/namespaces/names")));
        boolean keepsAnnotated = false;
        boolean setsApp = false;
        for (JsonNode rule : job.path("relabel_configs")) {
            if (rule.has("regex")) {
                Pattern.compile(rule.path("regex").asText()); // RE2 and java.util.regex agree on these
            }
            String sources = rule.path("source_labels").toString();
            keepsAnnotated |= rule.path("action").asText().equals("keep")
                    && sources.contains("__meta_kubernetes_pod_annotation_prometheus_io_scrape");
            setsApp |= rule.path("target_label").asText().equals("app")
                    && sources.contains("__meta_kubernetes_pod_label_app_kubernetes_io_name");
        }
        assertTrue(keepsAnnotated, "keeps pods annotated prometheus.io/scrape");
        assertTrue(setsApp, "app comes from app.kubernetes.io/name, whose values are the compose service names");
    }

    @Test
    void promtoolAcceptsTheComposeConfig() {
        Optional<Path> promtool = Repo.executable("promtool");
        assumeTrue(promtool.isPresent(), "promtool not installed (apt-get install -y prometheus)");
        Repo.ProcessResult result = Repo.run(List.of(promtool.get().toString(), "check", "config", COMPOSE_CONFIG.toString()));
        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void promtoolAcceptsTheKubernetesConfig() {
        Optional<Path> promtool = Repo.executable("promtool");
        assumeTrue(promtool.isPresent(), "promtool not installed (apt-get install -y prometheus)");
        Repo.ProcessResult result = Repo.run(List.of(promtool.get().toString(), "check", "config", K8S_CONFIG.toString()));
        // Debian builds Prometheus without Kubernetes service discovery; such a promtool cannot judge this file.
        assumeTrue(!result.output().contains("field kubernetes_sd_configs not found"),
                "this promtool lacks Kubernetes service discovery (Debian's build)");
        assertEquals(0, result.exitCode(), result.output());
    }
}
