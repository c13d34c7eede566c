package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fmnist.contracts.Topics;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The topic script (compose and the k8s Job) and Strimzi's KafkaTopics declare exactly contracts' Topics.ALL. */
class TopicsTest {

    @Test
    void createTopicsScriptMatchesTheContracts() {
        String script = Repo.read(Repo.path("k8s/base/kafka/create-topics.sh"));
        Matcher m = Pattern.compile("(?m)^create (\\S+) (\\d+)((?: \\S+=\\S+)*)$").matcher(script);
        Map<String, Topics.Spec> declared = new LinkedHashMap<>();
        while (m.find()) {
            Map<String, String> configs = new HashMap<>();
            for (String pair : m.group(3).trim().split(" ")) {
                if (!pair.isEmpty()) {
                    configs.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
                }
            }
            declared.put(m.group(1), new Topics.Spec(m.group(1), Integer.parseInt(m.group(2)), configs));
        }
        assertEquals(expected(), declared);
    }

    @Test
    void strimziKafkaTopicsMatchTheContracts() {
        Map<String, Topics.Spec> declared = new LinkedHashMap<>();
        for (JsonNode topic : Repo.yamlDocuments(Repo.path("k8s/overlays/strimzi/topics.yaml"))) {
            assertEquals("KafkaTopic", topic.path("kind").asText());
            assertEquals("fmnist", topic.at("/metadata/labels/strimzi.io~1cluster").asText());
            JsonNode spec = topic.path("spec");
            Map<String, String> configs = new HashMap<>();
            spec.path("config").fields().forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
            assertEquals("2", configs.remove("min.insync.replicas"), "replicated topics keep two in sync");
            assertEquals(3, spec.path("replicas").asInt());
            String name = spec.path("topicName").asText();
            declared.put(name, new Topics.Spec(name, spec.path("partitions").asInt(), configs));
        }
        assertEquals(expected(), declared);
    }

    private static Map<String, Topics.Spec> expected() {
        Map<String, Topics.Spec> expected = new LinkedHashMap<>();
        Topics.ALL.forEach(s -> expected.put(s.name(), s));
        return expected;
    }
}
