package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Typed Kubernetes objects from YAML, and the hardening every service Deployment must show. */
final class K8s {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** API groups whose kinds are custom resources here (Strimzi, Prometheus Operator, KEDA). */
    static final Set<String> CUSTOM_GROUPS = Set.of("kafka.strimzi.io", "monitoring.coreos.com", "keda.sh");

    private K8s() {
    }

    /** The document as the fabric8 model class registered for its apiVersion and kind. */
    static HasMetadata typed(JsonNode document) {
        String yaml = document.toString();
        Object value = SERIALIZATION.unmarshal(yaml);
        if (!(value instanceof HasMetadata resource)) {
            throw new AssertionError("not a Kubernetes object: " + shortDescription(document));
        }
        return resource;
    }

    /** Asserts the object is typed (a model class), or generic exactly when its group is a custom one. */
    static void assertTypedAsExpected(HasMetadata resource, String where) {
        String group = resource.getApiVersion().contains("/") ? resource.getApiVersion().split("/")[0] : "";
        if (CUSTOM_GROUPS.contains(group)) {
            assertTrue(resource instanceof GenericKubernetesResource, where + ": custom resource kept generic");
        } else {
            assertFalse(resource instanceof GenericKubernetesResource,
                    where + ": " + resource.getApiVersion() + "/" + resource.getKind() + " is not a known Kubernetes kind");
        }
    }

    static String shortDescription(JsonNode doc) {
        return doc.path("apiVersion").asText("?") + "/" + doc.path("kind").asText("?") + " "
                + doc.path("metadata").path("name").asText("?");
    }

    /** The hardening of docs/operations.md, on one of the three service Deployments. */
    static void assertHardenedService(Deployment deployment, int port) {
        String name = deployment.getMetadata().getName();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), name + " pod runAsNonRoot");
        assertNotNull(pod.getSecurityContext().getRunAsUser(), name + " pod runAsUser (numeric, so the kubelet can check it)");
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0, name + " runs as a non-zero uid");
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType(), name + " seccomp");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), name + " needs no API token");

        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"), name + " scrape annotation");
        assertEquals("/q/metrics", annotations.get("prometheus.io/path"), name + " metrics path annotation");
        assertEquals(String.valueOf(port), annotations.get("prometheus.io/port"), name + " metrics port annotation");

        List<Container> containers = pod.getContainers();
        assertEquals(1, containers.size(), name + " has one container");
        Container c = containers.get(0);
        assertEquals("fmnist/" + name + ":0.1.0", c.getImage(), name + " image");
        assertEquals(port, c.getPorts().get(0).getContainerPort(), name + " container port");
        assertHttpProbe(c.getReadinessProbe(), "/q/health/ready", name + " readiness");
        assertHttpProbe(c.getLivenessProbe(), "/q/health/live", name + " liveness");

        var limits = c.getResources().getLimits();
        var requests = c.getResources().getRequests();
        for (String resource : List.of("cpu", "memory")) {
            assertNotNull(requests.get(resource), name + " requests " + resource);
            assertNotNull(limits.get(resource), name + " limits " + resource);
            assertTrue(Quantity.getAmountInBytes(requests.get(resource))
                            .compareTo(Quantity.getAmountInBytes(limits.get(resource))) <= 0,
                    name + " " + resource + " request <= limit");
        }

        var security = c.getSecurityContext();
        assertEquals(Boolean.TRUE, security.getRunAsNonRoot(), name + " container runAsNonRoot");
        assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation(), name + " allowPrivilegeEscalation");
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem(), name + " readOnlyRootFilesystem");
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), name + " drops all capabilities");
        assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty(),
                name + " adds no capability");

        // With a read-only root, /tmp must be a writable emptyDir (JVM perf data, JNA, uploads).
        var tmpMount = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst();
        assertTrue(tmpMount.isPresent(), name + " mounts /tmp");
        var tmpVolume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmpMount.get().getName())).findFirst();
        assertTrue(tmpVolume.isPresent() && tmpVolume.get().getEmptyDir() != null, name + " /tmp is an emptyDir");
    }

    private static void assertHttpProbe(Probe probe, String path, String what) {
        assertNotNull(probe, what + " probe");
        assertNotNull(probe.getHttpGet(), what + " probe is an HTTP GET");
        assertEquals(path, probe.getHttpGet().getPath(), what + " probe path");
    }
}
