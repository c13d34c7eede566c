package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.model.ModelFamily;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.server.config.ServerLogConfigs;
import org.junit.jupiter.api.Test;

/**
 * A snapshot of the largest model family fits every limit on its way: the codec's record limit, the
 * producer's {@code max.request.size} (the trainer's snapshot writer keeps Kafka's default) and the
 * {@code fmnist.snapshots} topic's {@code max.message.bytes} (none of the topic declarations sets one, so the
 * broker's {@code message.max.bytes} applies, which neither compose, the Kubernetes StatefulSet nor the Strimzi
 * cluster lowers). Every limit on the way is at least 1 MiB (1,048,576 bytes).
 */
class SnapshotSizeLimitsTest {
    private static final int MIB = 1 << 20;

    @Test
    void theLargestFamilyFitsTheCodecAndTheCodecFitsKafkasDefaults() {
        long largest = Arrays.stream(ModelFamily.values()).mapToLong(f -> 4L * f.architecture().parameterCount()).max()
                .orElseThrow();
        assertEquals(4L * ModelFamily.MLP.architecture().parameterCount(), largest, "the mlp is the largest family");
        assertTrue(largest < WeightSnapshotCodec.MAX_RECORD_BYTES, largest + " bytes of weights");
        int producer = (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        assertTrue(producer >= MIB, "max.request.size default " + producer);
        assertTrue(ServerLogConfigs.MAX_MESSAGE_BYTES_DEFAULT >= MIB, "message.max.bytes default " + ServerLogConfigs.MAX_MESSAGE_BYTES_DEFAULT);
        // a record batch adds its header (61 bytes) and the record's framing, key (the model and version) and
        // headers: 16 KB of room is plenty
        assertTrue(WeightSnapshotCodec.MAX_RECORD_BYTES + 16 * 1024 <= Math.min(producer, ServerLogConfigs.MAX_MESSAGE_BYTES_DEFAULT));
    }

    @Test
    void noDeploymentLowersTheSnapshotTopicsOrTheBrokersLimit() {
        Topics.Spec snapshots = Topics.ALL.stream().filter(t -> t.name().equals(Topics.SNAPSHOTS)).findFirst().orElseThrow();
        atLeastOneMib("Topics.ALL fmnist.snapshots", snapshots.configs().get("max.message.bytes"));

        Matcher line = Pattern.compile("(?m)^create fmnist\\.snapshots .*$").matcher(Repo.read(Repo.path("k8s/base/kafka/create-topics.sh")));
        assertTrue(line.find(), "create-topics.sh creates fmnist.snapshots");
        Matcher set = Pattern.compile("max\\.message\\.bytes=(\\d+)").matcher(line.group());
        atLeastOneMib("create-topics.sh fmnist.snapshots", set.find() ? set.group(1) : null);

        for (JsonNode topic : Repo.yamlDocuments(Repo.path("k8s/overlays/strimzi/topics.yaml"))) {
            if (topic.at("/spec/topicName").asText().equals(Topics.SNAPSHOTS)) {
                atLeastOneMib("Strimzi KafkaTopic fmnist-snapshots", text(topic.at("/spec/config/max.message.bytes")));
            }
        }
        for (JsonNode doc : Repo.yamlDocuments(Repo.path("k8s/overlays/strimzi/kafka.yaml"))) {
            if (doc.path("kind").asText().equals("Kafka")) {
                atLeastOneMib("Strimzi Kafka config", text(doc.at("/spec/kafka/config/message.max.bytes")));
            }
        }
        atLeastOneMib("compose kafka", text(Repo.yaml(Repo.path("docker-compose.yml"))
                .at("/services/kafka/environment/KAFKA_MESSAGE_MAX_BYTES")));
        for (JsonNode doc : Repo.yamlDocuments(Repo.path("k8s/base/kafka/statefulset.yaml"))) {
            for (JsonNode env : doc.at("/spec/template/spec/containers/0/env")) {
                if (env.path("name").asText().equals("KAFKA_MESSAGE_MAX_BYTES")) {
                    atLeastOneMib("k8s kafka StatefulSet", env.path("value").asText());
                }
            }
        }
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    /** Unset means the default (at least 1 MiB, checked above); set, it must be at least 1 MiB. */
    private static void atLeastOneMib(String where, String value) {
        if (value != null) {
            assertTrue(Long.parseLong(value.trim()) >= MIB, where + " sets " + value + " bytes, under 1 MiB");
        }
    }
}
