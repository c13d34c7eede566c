package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.contracts.model.ModelFamily;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model families are configuration in compose and Kubernetes, as {@code ./fmnist up --model} makes them
 * locally: one list (softmax unless told otherwise) that trainer, inference and the console all read, so the
 * three never disagree about which models exist.
 */
class ModelFamiliesConfigTest {
    /** Service and the variable it reads its families from (config keys fmnist.trainer.models ...). */
    static final Map<String, String> READERS = Map.of("trainer-service", "FMNIST_TRAINER_MODELS",
            "inference-service", "FMNIST_INFERENCE_MODELS", "console", "FMNIST_CONSOLE_MODELS");

    @Test
    void composeGivesTheThreeServicesOneListDefaultSoftmax() {
        JsonNode services = Repo.yaml(Repo.path("docker-compose.yml")).path("services");
        READERS.forEach((service, variable) -> assertEquals("${FMNIST_MODELS:-softmax}",
                services.path(service).path("environment").path(variable).asText(), service + " " + variable));
        services.fields().forEachRemaining(s -> {
            if (!READERS.containsKey(s.getKey())) {
                assertTrue(s.getValue().path("environment").path("FMNIST_MODELS").isMissingNode(), s.getKey());
            }
        });
    }

    @Test
    void kubernetesDeploymentsReadTheFamiliesFromOneConfigMap() {
        var base = Kustomization.resolve(Repo.path("k8s/base")).stream().map(s -> K8s.typed(s.document())).toList();
        ConfigMap models = base.stream().filter(o -> o instanceof ConfigMap && o.getMetadata().getName().equals("fmnist-models"))
                .map(ConfigMap.class::cast).findFirst().orElseThrow(() -> new AssertionError("no ConfigMap fmnist-models"));
        String families = models.getData().get("families");
        assertEquals("softmax", families, "the seed's model unless an overlay says otherwise");
        Arrays.stream(families.split(",")).forEach(ModelFamily::parse); // each one a family the services accept
        READERS.forEach((service, variable) -> {
            Deployment d = base.stream().filter(o -> o instanceof Deployment && o.getMetadata().getName().equals(service))
                    .map(Deployment.class::cast).findFirst().orElseThrow();
            List<EnvVar> env = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
            EnvVar var = env.stream().filter(e -> e.getName().equals(variable)).findFirst()
                    .orElseThrow(() -> new AssertionError(service + " does not set " + variable));
            assertEquals("fmnist-models", var.getValueFrom().getConfigMapKeyRef().getName(), service);
            assertEquals("families", var.getValueFrom().getConfigMapKeyRef().getKey(), service);
        });
    }
}
