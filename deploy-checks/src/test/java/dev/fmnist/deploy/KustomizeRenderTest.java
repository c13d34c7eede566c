package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Renders the kustomizations with the real kustomize (kubectl kustomize, or a standalone kustomize) when one
 * is installed, and checks the result; without one these tests are skipped and KubernetesManifestsTest's
 * own resolution still runs.
 */
class KustomizeRenderTest {
    private static final Map<String, Integer> PORTS = Map.of(
            "ingest-service", 8081, "trainer-service", 8082, "inference-service", 8080, "console", 8083);

    @Test
    void baseRendersIntoNamespaceFmnistWithHardenedServices() {
        List<HasMetadata> objects = render("k8s/base");
        assertAllInNamespace(objects);
        assertReferencesResolve(objects);
        for (var entry : PORTS.entrySet()) {
            K8s.assertHardenedService(find(objects, Deployment.class, entry.getKey()), entry.getValue());
        }
        assertNotNull(find(objects, StatefulSet.class, "kafka"));
        assertNotNull(find(objects, Job.class, "kafka-topics"));
    }

    @Test
    void localOverlayAddsMonitoringAndNodePorts() {
        List<HasMetadata> objects = render("k8s/overlays/local");
        assertAllInNamespace(objects);
        assertReferencesResolve(objects);
        for (var entry : PORTS.entrySet()) {
            K8s.assertHardenedService(find(objects, Deployment.class, entry.getKey()), entry.getValue());
        }
        Map<String, Integer> nodePorts = Map.of("inference-service", 30080, "ingest-service", 30081,
                "trainer-service", 30082, "console", 30083, "prometheus", 30090, "grafana", 30300);
        for (var entry : nodePorts.entrySet()) {
            Service service = find(objects, Service.class, entry.getKey());
            assertEquals("NodePort", service.getSpec().getType(), entry.getKey());
            assertEquals(entry.getValue(), service.getSpec().getPorts().get(0).getNodePort(), entry.getKey());
        }
        Deployment grafana = find(objects, Deployment.class, "grafana");
        assertTrue(grafana.getSpec().getTemplate().getSpec().getVolumes().stream()
                .anyMatch(v -> v.getConfigMap() != null && v.getConfigMap().getName().equals("grafana-dashboard-fmnist")));
        // Grafana's admin login has its own password from the Secret, never the default one
        var adminPassword = grafana.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("GF_SECURITY_ADMIN_PASSWORD")).findFirst()
                .orElseThrow(() -> new AssertionError("grafana sets no GF_SECURITY_ADMIN_PASSWORD"))
                .getValueFrom().getSecretKeyRef();
        assertEquals("fmnist-auth", adminPassword.getName());
        assertEquals("grafana-admin-password", adminPassword.getKey());
        ConfigMap prometheus = objects.stream().filter(o -> o instanceof ConfigMap
                && o.getMetadata().getName().startsWith("prometheus-config")).map(ConfigMap.class::cast)
                .findFirst().orElseThrow();
        assertEquals(Repo.read(Repo.path("monitoring/prometheus/prometheus-k8s.yml")),
                prometheus.getData().get("prometheus.yml"));
        assertEquals(Repo.read(PrometheusRulesTest.RULES), prometheus.getData().get("fmnist-alerts.yml"),
                "the alerting rules beside prometheus.yml, as its rule_files names them");
    }

    @Test
    void strimziOverlayReplacesTheSingleNodeKafka() {
        List<HasMetadata> objects = render("k8s/overlays/strimzi");
        assertAllInNamespace(objects);
        assertReferencesResolve(objects);
        assertTrue(objects.stream().noneMatch(o -> o instanceof StatefulSet), "no single-node Kafka left");
        assertTrue(objects.stream().noneMatch(o -> o instanceof Job), "no topic Job: the Topic Operator creates topics");
        long topics = objects.stream().filter(o -> o instanceof GenericKubernetesResource && o.getKind().equals("KafkaTopic")).count();
        assertEquals(dev.fmnist.contracts.Topics.ALL.size(), topics);
        assertTrue(objects.stream().anyMatch(o -> o.getKind().equals("Kafka")));
        assertTrue(objects.stream().anyMatch(o -> o.getKind().equals("KafkaNodePool")));
        ConfigMap client = find(objects, ConfigMap.class, "fmnist-kafka");
        assertEquals("fmnist-kafka-bootstrap:9093", client.getData().get("KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals("SASL_SSL", client.getData().get("KAFKA_SECURITY_PROTOCOL"));
    }

    @Test
    void kedaOverlayScalesInferenceWithAScaledObjectInsteadOfTheHpa() {
        List<HasMetadata> objects = render("k8s/overlays/keda");
        assertAllInNamespace(objects);
        assertReferencesResolve(objects);
        assertTrue(objects.stream().noneMatch(o -> o.getKind().equals("HorizontalPodAutoscaler")),
                "the component removed the CPU HPA (KEDA makes its own)");
        List<HasMetadata> scaled = objects.stream().filter(o -> o.getKind().equals("ScaledObject")).toList();
        assertEquals(1, scaled.size());
        var spec = (Map<?, ?>) ((GenericKubernetesResource) scaled.get(0)).getAdditionalProperties().get("spec");
        String target = (String) ((Map<?, ?>) spec.get("scaleTargetRef")).get("name");
        K8s.assertHardenedService(find(objects, Deployment.class, target), PORTS.get(target));
        assertNotNull(objects.stream().filter(o -> o.getKind().equals("NetworkPolicy")
                && o.getMetadata().getName().equals("kafka-from-keda-operator")).findFirst().orElse(null));
        // everything else of the base is there
        assertNotNull(find(objects, StatefulSet.class, "kafka"));
        assertEquals(render("k8s/base").size() - 1 + 2, objects.size(), "base - HPA + ScaledObject + NetworkPolicy");
    }

    /** The objects {@code kubectl kustomize dir} renders (the test is skipped without kubectl or kustomize). */
    static List<HasMetadata> render(String dir) {
        Optional<List<String>> command = kustomizeCommand(dir);
        assumeTrue(command.isPresent(), "neither kubectl nor kustomize on PATH: rendering not checked");
        Repo.ProcessResult result = Repo.run(command.get());
        assertEquals(0, result.exitCode(), "kustomize build " + dir + " failed:\n" + result.output());
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode doc : Repo.yamlDocuments(result.output())) {
            HasMetadata resource = K8s.typed(doc);
            K8s.assertTypedAsExpected(resource, dir + " " + K8s.shortDescription(doc));
            objects.add(resource);
        }
        assertFalse(objects.isEmpty(), dir + " renders objects");
        return objects;
    }

    private static Optional<List<String>> kustomizeCommand(String dir) {
        Optional<Path> kubectl = Repo.executable("kubectl");
        if (kubectl.isPresent()) {
            return Optional.of(List.of(kubectl.get().toString(), "kustomize", dir));
        }
        return Repo.executable("kustomize").map(k -> List.of(k.toString(), "build", dir));
    }

    private static void assertAllInNamespace(List<HasMetadata> objects) {
        for (HasMetadata o : objects) {
            if (o.getKind().equals("Namespace")) {
                assertEquals("fmnist", o.getMetadata().getName());
            } else {
                assertEquals("fmnist", o.getMetadata().getNamespace(), o.getKind() + "/" + o.getMetadata().getName());
            }
        }
    }

    /** Every ConfigMap and ServiceAccount a pod names exists in the rendered output (hash suffixes included). */
    private static void assertReferencesResolve(List<HasMetadata> objects) {
        Set<String> configMaps = new HashSet<>();
        Set<String> serviceAccounts = new HashSet<>(Set.of("default"));
        for (HasMetadata o : objects) {
            if (o instanceof ConfigMap) {
                configMaps.add(o.getMetadata().getName());
            } else if (o.getKind().equals("ServiceAccount")) {
                serviceAccounts.add(o.getMetadata().getName());
            }
        }
        for (HasMetadata o : objects) {
            PodSpec pod = podSpec(o);
            if (pod == null) {
                continue;
            }
            String where = o.getKind() + "/" + o.getMetadata().getName();
            pod.getVolumes().stream().filter(v -> v.getConfigMap() != null).forEach(v ->
                    assertTrue(configMaps.contains(v.getConfigMap().getName()), where + " mounts missing ConfigMap " + v.getConfigMap().getName()));
            pod.getContainers().forEach(c -> {
                for (EnvFromSource env : c.getEnvFrom()) {
                    if (env.getConfigMapRef() != null) {
                        assertTrue(configMaps.contains(env.getConfigMapRef().getName()), where + " reads missing ConfigMap " + env.getConfigMapRef().getName());
                    }
                }
            });
            if (pod.getServiceAccountName() != null) {
                assertTrue(serviceAccounts.contains(pod.getServiceAccountName()), where + " uses missing ServiceAccount");
            }
        }
    }

    private static PodSpec podSpec(HasMetadata o) {
        if (o instanceof Deployment d) {
            return d.getSpec().getTemplate().getSpec();
        }
        if (o instanceof StatefulSet s) {
            return s.getSpec().getTemplate().getSpec();
        }
        if (o instanceof Job j) {
            return j.getSpec().getTemplate().getSpec();
        }
        return null;
    }

    private static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }
}
