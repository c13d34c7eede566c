package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.contracts.Topics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The keda component (k8s/components/keda): its ScaledObject scales the inference Deployment on the consumer
 * group the service really uses, on the topic's partitions, with the trigger parameters KEDA documents, and
 * the component takes the base's HPA away. Schema validity is StrictSchemaTest's (CrdSchema); rendering is
 * KustomizeRenderTest's.
 */
class KedaScalingTest {
    /** The Kafka scaler's parameters in KEDA's reference ("Apache Kafka" scaler, KEDA 2.x). */
    private static final Set<String> KAFKA_SCALER_PARAMETERS = Set.of("bootstrapServers", "bootstrapServersFromEnv",
            "consumerGroup", "consumerGroupFromEnv", "topic", "topicFromEnv", "lagThreshold", "activationLagThreshold",
            "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset", "excludePersistentLag",
            "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "partitionLimitation", "version",
            "sasl", "tls", "unsafeSsl");
    /** The CPU scaler's parameters (its metricType is a field of the trigger, not metadata). */
    private static final Set<String> CPU_SCALER_PARAMETERS = Set.of("value", "containerName");

    @Test
    void scalesInferenceOnItsConsumerGroupsLagCappedAtThePartitionsAndOnCpu() {
        JsonNode so = scaledObject();
        assertEquals("inference-service", so.at("/spec/scaleTargetRef/name").asText());
        assertEquals("Deployment", so.at("/spec/scaleTargetRef/kind").asText());
        assertEquals(Topics.REQUEST_PARTITIONS, so.at("/spec/maxReplicaCount").asInt(),
                "as many replicas as fmnist.requests has partitions, no more");
        JsonNode hpa = Repo.yaml(Repo.path("k8s/base/inference/hpa.yaml"));
        assertEquals(hpa.at("/spec/minReplicas").asInt(), so.at("/spec/minReplicaCount").asInt(), "the base's minimum");

        List<String> types = new ArrayList<>();
        so.at("/spec/triggers").forEach(t -> types.add(t.path("type").asText()));
        assertEquals(List.of("kafka", "cpu"), types);

        JsonNode kafka = so.at("/spec/triggers/0/metadata");
        Properties service = Repo.properties(Repo.path("inference-service/src/main/resources/application.properties"));
        assertEquals(service.getProperty("mp.messaging.incoming.requests-in.group.id"), kafka.path("consumerGroup").asText());
        assertEquals(service.getProperty("mp.messaging.incoming.requests-in.topic"), kafka.path("topic").asText());
        assertEquals(Topics.REQUESTS, kafka.path("topic").asText());
        assertEquals("false", kafka.path("allowIdleConsumers").asText(), "capped at the partition count");
        // the consumer starts a group without offsets at the earliest record (KafkaClientFactory.COMMITTED_CONSUMER)
        assertEquals("earliest", kafka.path("offsetResetPolicy").asText());
        long threshold = Long.parseLong(kafka.path("lagThreshold").asText());
        assertTrue(threshold > 0, "lagThreshold " + threshold);
        String readme = Repo.read(Repo.path("inference-service/README.md"));
        assertTrue(readme.contains(String.format("lagThreshold %,d", threshold)) || readme.contains("lagThreshold " + threshold),
                "inference-service/README.md derives lagThreshold " + threshold + " from the measured rate");
        // KEDA's operator runs in its own namespace: the base's broker Service by its namespaced name
        String bootstrap = Repo.yaml(Repo.path("k8s/base/kafka-client-config.yaml")).at("/data/KAFKA_BOOTSTRAP_SERVERS").asText();
        String[] hostPort = bootstrap.split(":");
        assertEquals(hostPort[0] + ".fmnist.svc:" + hostPort[1], kafka.path("bootstrapServers").asText());
        assertKnown(kafka, KAFKA_SCALER_PARAMETERS, "kafka");

        JsonNode cpu = so.at("/spec/triggers/1");
        assertEquals("Utilization", cpu.path("metricType").asText());
        assertEquals(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asText(), cpu.at("/metadata/value").asText(),
                "the base HPA's CPU target");
        assertKnown(cpu.path("metadata"), CPU_SCALER_PARAMETERS, "cpu");
    }

    @Test
    void theComponentRemovesTheBaseHpaAndLetsKedaReachTheBroker() {
        JsonNode component = Repo.yaml(Repo.path("k8s/components/keda/kustomization.yaml"));
        String patches = component.path("patches").toString();
        assertTrue(patches.contains("$patch: delete") && patches.contains("HorizontalPodAutoscaler")
                && patches.contains("inference-service"), "the component deletes the base's HPA: " + patches);
        JsonNode policy = Repo.yaml(Repo.path("k8s/components/keda/network-policy.yaml"));
        assertEquals("kafka", policy.at("/spec/podSelector/matchLabels/app.kubernetes.io~1name").asText());
        assertEquals("keda", policy.at("/spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText());
        assertEquals(9092, policy.at("/spec/ingress/0/ports/0/port").asInt());
    }

    private static void assertKnown(JsonNode metadata, Set<String> documented, String trigger) {
        Set<String> unknown = new HashSet<>();
        metadata.fieldNames().forEachRemaining(unknown::add);
        unknown.removeAll(documented);
        assertEquals(Set.of(), unknown, "parameters the " + trigger + " scaler does not document");
    }

    static JsonNode scaledObject() {
        return Repo.yaml(Repo.path("k8s/components/keda/scaledobject.yaml"));
    }
}
