package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every manifest under k8s/ parses into typed objects, and the kustomizations resolve without kustomize. */
class KubernetesManifestsTest {
    private static final Map<String, Integer> PORTS = Map.of(
            "ingest-service", 8081, "trainer-service", 8082, "inference-service", 8080, "console", 8083);

    @Test
    void everyManifestParsesIntoATypedKubernetesObject() {
        List<Path> manifests = Repo.files(Repo.path("k8s"), ".yaml", ".yml").stream()
                .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                .toList();
        assertTrue(manifests.size() >= 15, "expected the k8s manifests, found " + manifests.size());
        int objects = 0;
        for (Path file : manifests) {
            for (JsonNode doc : Repo.yamlDocuments(file)) {
                HasMetadata resource = K8s.typed(doc);
                String where = Repo.ROOT.relativize(file) + " " + K8s.shortDescription(doc);
                K8s.assertTypedAsExpected(resource, where);
                assertFalse(resource.getMetadata().getName() == null || resource.getMetadata().getName().isBlank(),
                        where + " has a name");
                objects++;
            }
        }
        assertTrue(objects >= 30, "parsed only " + objects + " objects");
    }

    @Test
    void everyKustomizationResolvesToExistingParsableFiles() {
        for (String dir : List.of("k8s/base", "k8s/overlays/local", "k8s/overlays/strimzi", "k8s/overlays/keda",
                "k8s/components/monitoring-stack", "k8s/components/servicemonitors", "k8s/components/keda", "monitoring")) {
            List<Kustomization.Source> sources = Kustomization.resolve(Repo.path(dir));
            assertFalse(sources.isEmpty(), dir + " yields resources");
            for (Kustomization.Source source : sources) {
                K8s.assertTypedAsExpected(K8s.typed(source.document()),
                        Repo.ROOT.relativize(source.file()) + " " + K8s.shortDescription(source.document()));
            }
        }
    }

    @Test
    void baseServiceDeploymentsAreProbedLimitedAndHardened() {
        Map<String, HasMetadata> base = baseObjects();
        for (var entry : PORTS.entrySet()) {
            HasMetadata object = base.get("Deployment/" + entry.getKey());
            assertTrue(object instanceof Deployment, "base has Deployment " + entry.getKey());
            K8s.assertHardenedService((Deployment) object, entry.getValue());
        }
    }

    @Test
    void baseHasKafkaTopicJobHpaAndBudget() {
        Map<String, HasMetadata> base = baseObjects();
        StatefulSet kafka = (StatefulSet) base.get("StatefulSet/kafka");
        assertEquals("apache/kafka:4.1.2", kafka.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals(1, kafka.getSpec().getReplicas());
        assertEquals("kafka-headless", kafka.getSpec().getServiceName());
        assertEquals(1, kafka.getSpec().getVolumeClaimTemplates().size(), "Kafka keeps its log on a PVC");
        assertTrue(base.containsKey("Service/kafka-headless"));
        var headless = (io.fabric8.kubernetes.api.model.Service) base.get("Service/kafka-headless");
        assertEquals("None", headless.getSpec().getClusterIP());

        Job job = (Job) base.get("Job/kafka-topics");
        var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("apache/kafka:4.1.2", container.getImage());
        assertEquals(List.of("/bin/bash", "/scripts/create-topics.sh"), container.getCommand());
        ConfigMap script = (ConfigMap) base.get("ConfigMap/kafka-topics-script");
        assertEquals(Repo.read(Repo.path("k8s/base/kafka/create-topics.sh")), script.getData().get("create-topics.sh"));

        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) base.get("HorizontalPodAutoscaler/inference-service");
        assertEquals("inference-service", hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMaxReplicas() <= dev.fmnist.contracts.Topics.REQUEST_PARTITIONS,
                "no more replicas than fmnist.requests has partitions");
        PodDisruptionBudget pdb = (PodDisruptionBudget) base.get("PodDisruptionBudget/inference-service");
        assertEquals("inference-service", pdb.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/name"));

        ConfigMap dashboard = (ConfigMap) base.get("ConfigMap/grafana-dashboard-fmnist");
        assertEquals(Repo.read(Repo.path("monitoring/grafana/dashboards/fmnist-pipeline.json")),
                dashboard.getData().get("fmnist-pipeline.json"), "the dashboard ConfigMap is the canonical JSON");
    }

    @Test
    void theKafkaClientConfigPointsAtTheBaseService() {
        ConfigMap config = (ConfigMap) baseObjects().get("ConfigMap/fmnist-kafka");
        assertEquals("kafka:9092", config.getData().get("KAFKA_BOOTSTRAP_SERVERS"));
        assertTrue(Files.isRegularFile(Repo.path("k8s/overlays/strimzi/kafka-client-config.yaml")));
    }

    @Test
    void serviceTokensComeFromTheFmnistAuthSecretAndNoConfigMapHoldsOne() {
        Map<String, HasMetadata> base = baseObjects();
        Map<String, List<String>> needed = Map.of(
                "trainer-service", List.of("FMNIST_AUTH_ADMIN_TOKENS"),
                "inference-service", List.of("FMNIST_AUTH_ADMIN_TOKENS"),
                "ingest-service", List.of("FMNIST_AUTH_ADMIN_TOKENS", "FMNIST_AUTH_WRITER_TOKENS"));
        for (var entry : needed.entrySet()) {
            Deployment d = (Deployment) base.get("Deployment/" + entry.getKey());
            var env = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
            for (String name : entry.getValue()) {
                var ref = env.stream().filter(e -> e.getName().equals(name)).findFirst()
                        .orElseThrow(() -> new AssertionError(entry.getKey() + " has env " + name))
                        .getValueFrom().getSecretKeyRef();
                assertEquals("fmnist-auth", ref.getName(), entry.getKey() + " " + name);
                // not optional: a missing Secret keeps the pod from starting instead of running unauthenticated
                assertTrue(ref.getOptional() == null || !ref.getOptional(), entry.getKey() + " " + name + " not optional");
            }
        }
        for (HasMetadata object : base.values()) {
            if (object instanceof ConfigMap cm && cm.getData() != null) {
                for (String key : cm.getData().keySet()) {
                    assertFalse(key.toUpperCase().contains("TOKEN") || key.toLowerCase().contains("auth.admin")
                            || key.toLowerCase().contains("auth.writer"), "ConfigMap " + cm.getMetadata().getName()
                            + " holds a credential key " + key);
                }
            }
        }
    }

    @Test
    void onlyTheTrainerReadsTheSnapshotPrivateKeyAndTheReadersItsPublicKey() {
        Map<String, HasMetadata> base = baseObjects();
        Map<String, Map<String, String>> expected = Map.of(
                "trainer-service", Map.of("FMNIST_SNAPSHOTS_SIGNING_KEY", "snapshot-key"),
                "inference-service", Map.of("FMNIST_SNAPSHOTS_PUBLIC_KEYS", "snapshot-public-key",
                        "FMNIST_MODEL_CONTROL_SIGNING_KEY", "model-control-key"),
                "console", Map.of("FMNIST_SNAPSHOTS_PUBLIC_KEYS", "snapshot-public-key",
                        "FMNIST_MODEL_CONTROL_PUBLIC_KEYS", "model-control-public-key"));
        for (HasMetadata object : base.values()) {
            if (!(object instanceof Deployment d)) {
                continue;
            }
            String name = d.getMetadata().getName();
            Map<String, String> keys = new java.util.HashMap<>();
            for (var e : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                        && e.getValueFrom().getSecretKeyRef().getKey().contains("key")) {
                    assertEquals("fmnist-auth", e.getValueFrom().getSecretKeyRef().getName(), name + " " + e.getName());
                    keys.put(e.getName(), e.getValueFrom().getSecretKeyRef().getKey());
                }
            }
            assertEquals(expected.getOrDefault(name, Map.of()), keys, name + " reads these signing keys");
        }
    }

    @Test
    void networkPoliciesLimitKafkaToThePipelineAndTrainerAndIngestToTheNamespace() {
        Map<String, HasMetadata> base = baseObjects();
        var kafka = (io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy) base.get("NetworkPolicy/kafka-from-pipeline-pods");
        assertEquals("kafka", kafka.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name"));
        var allowed = kafka.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchExpressions().get(0);
        assertEquals(List.of("kafka", "kafka-topics", "ingest-service", "trainer-service", "inference-service", "console"),
                allowed.getValues());
        var internal = (io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy) base.get("NetworkPolicy/trainer-and-ingest-from-namespace");
        assertEquals(List.of("trainer-service", "ingest-service"),
                internal.getSpec().getPodSelector().getMatchExpressions().get(0).getValues());
        var from = internal.getSpec().getIngress().get(0).getFrom().get(0);
        assertTrue(from.getNamespaceSelector() == null && from.getPodSelector() != null,
                "trainer and ingest: pods of this namespace only");
        var inference = (io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy) base.get("NetworkPolicy/inference-from-anywhere");
        assertTrue(inference.getSpec().getIngress().get(0).getFrom().isEmpty(), "inference: from anywhere");
    }

    private static Map<String, HasMetadata> baseObjects() {
        return Kustomization.resolve(Repo.path("k8s/base")).stream()
                .map(s -> K8s.typed(s.document()))
                .collect(Collectors.toMap(r -> r.getKind() + "/" + r.getMetadata().getName(), Function.identity()));
    }
}
