package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The services table of docs/operations.md names the images and ports that compose and k8s use. */
class OperationsDocTest {

    @Test
    void servicesTableMatchesCompose() {
        String doc = Repo.read(Repo.path("docs/operations.md"));
        Matcher row = Pattern.compile("(?m)^\\| `([a-z-]+)` \\| `([^`]+)` \\| (\\d+) \\|").matcher(doc);
        Map<String, String> documented = new LinkedHashMap<>();
        while (row.find()) {
            documented.put(row.group(1), row.group(2) + " " + row.group(3));
        }
        JsonNode services = Repo.yaml(Repo.path("docker-compose.yml")).path("services");
        Map<String, String> composed = new LinkedHashMap<>();
        for (String name : documented.keySet()) {
            JsonNode service = services.path(name);
            assertTrue(!service.isMissingNode(), "docs/operations.md lists " + name + ", compose does not");
            String[] published = service.path("ports").get(0).asText().split(":");
            String port = published[published.length - 2]; // [host address:]host port:container port
            composed.put(name, service.path("image").asText() + " " + port);
        }
        assertEquals(composed, documented);
        assertTrue(documented.keySet().containsAll(ComposeFileTest.SERVICE_PORTS.keySet()), "the three services are listed");
        assertTrue(documented.keySet().containsAll(java.util.List.of("kafka", "prometheus", "grafana")));
    }
}
