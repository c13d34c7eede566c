package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM memory policy (docs/operations.md, "JVM memory") holds in the images and the manifests: each
 * service image's JAVA_OPTS has the common caps, its collector and a MaxRAMPercentage that turns the
 * Kubernetes memory limit into the documented heap; MALLOC_ARENA_MAX is set; compose limits the
 * containers' memory to the same figures; Kafka's heap is the documented one. (pipeline-cli's
 * JvmOptionsTest holds the launcher to the same table.)
 */
class JvmMemoryPolicyTest {
    /** One row of the table: process, heap MB, collector flag, MaxRAMPercentage, k8s request and limit. */
    record Row(String process, int heapMb, String collector, String percentage, String request, String limit) {
    }

    static final Pattern ROW = Pattern.compile(
            "(?m)^\\| `([a-z-]+)` \\| (\\d+) MB \\| `(-XX:\\+Use\\w+GC)` \\| `?([0-9.]+|-)`? \\| (\\d+Mi) / (\\d+Mi) \\|");
    static final Pattern COMMON = Pattern.compile("(?m)^Common flags: `([^`]+)`; environment `([^`]+)`");

    static Map<String, Row> table() {
        String doc = Repo.read(Repo.path("docs/operations.md"));
        Map<String, Row> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(doc);
        while (m.find()) {
            rows.put(m.group(1), new Row(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4), m.group(5),
                    m.group(6)));
        }
        assertEquals(List.of("kafka", "ingest-service", "trainer-service", "inference-service", "console"),
                List.copyOf(rows.keySet()), "docs/operations.md's JVM memory table lists the five processes");
        return rows;
    }

    static String[] common() {
        Matcher m = COMMON.matcher(Repo.read(Repo.path("docs/operations.md")));
        assertTrue(m.find(), "docs/operations.md states the common flags");
        return new String[] {m.group(1), m.group(2)};
    }

    @Test
    void everyServiceImageTurnsItsLimitIntoTheDocumentedHeap() {
        String[] common = common();
        for (Row row : table().values()) {
            if (row.process().equals("kafka")) {
                continue;
            }
            String dockerfile = Repo.read(Repo.path(row.process() + "/src/main/docker/Dockerfile.jvm"));
            Matcher opts = Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(dockerfile);
            assertTrue(opts.find(), row.process() + " sets JAVA_OPTS");
            List<String> flags = List.of(opts.group(1).split("\\s+"));
            assertTrue(flags.containsAll(List.of(common[0].split("\\s+"))), row.process() + ": " + flags);
            assertTrue(flags.contains(row.collector()), row.process() + " collects with " + row.collector());
            assertTrue(flags.contains("-XX:MaxRAMPercentage=" + row.percentage()), row.process() + ": " + flags);
            assertTrue(dockerfile.contains(common[1]), row.process() + " sets " + common[1]);

            JsonNode resources = deployment(row.process()).at("/spec/template/spec/containers/0/resources");
            assertEquals(row.request(), resources.at("/requests/memory").asText(), row.process() + " request");
            assertEquals(row.limit(), resources.at("/limits/memory").asText(), row.process() + " limit");
            double heap = mb(row.limit()) * Double.parseDouble(row.percentage()) / 100;
            assertEquals(row.heapMb(), heap, row.heapMb() * 0.01, row.process() + ": limit x percentage = heap");

            JsonNode compose = Repo.yaml(Repo.path("docker-compose.yml")).path("services").path(row.process());
            assertEquals(row.limit().replace("Mi", "m"), compose.path("mem_limit").asText(),
                    "compose limits " + row.process() + " as Kubernetes does");
        }
    }

    @Test
    void kafkaHasTheDocumentedHeapAndASmallCleanerBuffer() {
        Row kafka = table().get("kafka");
        String heap = "-Xms16m -Xmx" + kafka.heapMb() + "m";
        JsonNode container = Repo.yamlDocuments(Repo.path("k8s/base/kafka/statefulset.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("StatefulSet")).findFirst().orElseThrow()
                .at("/spec/template/spec/containers/0");
        Map<String, String> env = new LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertEquals(heap, env.get("KAFKA_HEAP_OPTS"));
        assertEquals(String.valueOf(16 << 20), env.get("KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE"));
        assertEquals(kafka.request(), container.at("/resources/requests/memory").asText());
        assertEquals(kafka.limit(), container.at("/resources/limits/memory").asText());
        JsonNode compose = Repo.yaml(Repo.path("docker-compose.yml")).path("services").path("kafka");
        assertEquals(heap, compose.path("environment").path("KAFKA_HEAP_OPTS").asText());
        assertEquals(String.valueOf(16 << 20), compose.path("environment").path("KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE")
                .asText());
        assertEquals(kafka.limit().replace("Mi", "m"), compose.path("mem_limit").asText());
    }

    private static JsonNode deployment(String service) {
        String dir = service.replace("-service", "");
        return Repo.yamlDocuments(Repo.path("k8s/base/" + dir + "/deployment.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
    }

    private static double mb(String quantity) {
        return Quantity.getAmountInBytes(new Quantity(quantity)).divide(BigDecimal.valueOf(1 << 20)).doubleValue();
    }
}
