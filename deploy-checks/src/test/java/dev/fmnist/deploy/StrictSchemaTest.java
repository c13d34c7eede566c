package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes object under k8s/ (base, every overlay and component, patches included) matches the Kubernetes
 * 1.34 API's schema strictly (StrictSchema): no unknown field, no value of the wrong type; the Strimzi resources
 * against Strimzi's API model (io.strimzi:api 0.48.0). Prometheus Operator kinds (monitoring.coreos.com) are not
 * covered.
 */
class StrictSchemaTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyKubernetesObjectUnderK8sMatchesTheApiSchemaStrictly() {
        List<Path> manifests = Repo.files(Repo.path("k8s"), ".yaml", ".yml").stream()
                .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                .toList();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path file : manifests) {
            for (JsonNode doc : Repo.yamlDocuments(file)) {
                String group = doc.path("apiVersion").asText().contains("/") ? doc.path("apiVersion").asText().split("/")[0] : "";
                if (group.equals("monitoring.coreos.com")) {
                    continue;
                }
                for (String problem : StrictSchema.problems(doc)) {
                    problems.add(Repo.ROOT.relativize(file) + " " + K8s.shortDescription(doc) + " " + problem);
                }
                checked++;
            }
        }
        assertTrue(checked >= 25, "checked only " + checked + " objects");
        assertEquals(List.of(), problems, "manifests that the API server's strict validation would refuse");
    }

    @Test
    void anUnknownFieldIsFound() throws Exception {
        List<String> problems = StrictSchema.problems(yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          resource: {limits: {memory: 1Gi}}
                """));
        assertEquals(List.of("/spec/template/spec/containers/0/resource: unknown field (not in the schema of Container)"),
                problems);
    }

    @Test
    void aValueOfTheWrongTypeIsFound() throws Exception {
        List<String> problems = StrictSchema.problems(yaml("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replicas: "2"
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          env: [{name: A, value: 1}]
                          resources: {limits: {cpu: 2, memory: 1Gi}}
                """));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("/spec/replicas: string \"2\""), problems.toString());
        assertTrue(problems.get(1).startsWith("/spec/template/spec/containers/0/env/0/value: number 1"), problems.toString());
    }

    @Test
    void anUnknownFieldOfAStrimziResourceIsFound() throws Exception {
        List<String> problems = StrictSchema.problems(yaml("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: t, labels: {strimzi.io/cluster: c}}
                spec:
                  partitions: 3
                  replicas: 3
                  config: {retention.ms: 1000}
                  retentionMs: 1000
                """));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("/spec/retentionMs: unknown field"), problems.toString());
    }

    @Test
    void aScaledObjectIsCheckedAgainstKedasSchema() throws Exception {
        List<String> problems = StrictSchema.problems(yaml("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: s}
                spec:
                  scaleTargetRef: {name: d}
                  maxReplicas: 6
                  minReplicaCount: "2"
                  triggers:
                    - type: kafka
                      metadata: {lagThreshold: 5, allowIdleConsumers: "false"}
                      metricType: Average
                """));
        assertEquals(List.of("/spec/maxReplicas: unknown field (not in the schema)",
                "/spec/minReplicaCount: string \"2\" where the schema has integer",
                "/spec/triggers/0/metadata/lagThreshold: number 5 where the schema has string",
                "/spec/triggers/0/metricType: \"Average\" is not one of [\"AverageValue\",\"Value\",\"Utilization\"]"),
                problems);
        assertEquals(List.of("/spec/triggers: required"), StrictSchema.problems(yaml("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: s}
                spec: {scaleTargetRef: {name: d}}
                """)));
    }

    @Test
    void aKindTheApiDoesNotHaveIsFound() throws Exception {
        assertEquals(1, StrictSchema.problems(yaml("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n")).size());
    }

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }
}
