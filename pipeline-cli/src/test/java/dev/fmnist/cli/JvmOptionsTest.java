package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The launcher's JVM flags are the policy of docs/operations.md ("JVM memory"): the documented heap
 * and collector per process, the common caps, the environment (deploy-checks holds the images and
 * manifests to the same table).
 */
class JvmOptionsTest {
    static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z-]+)` \\| (\\d+) MB \\| `(-XX:\\+Use\\w+GC)` \\|");
    static final Pattern COMMON = Pattern.compile("(?m)^Common flags: `([^`]+)`; environment `([^`=]+)=([^`]+)`");
    static final Map<String, Component> PROCESSES = Map.of("kafka", Component.KAFKA, "ingest-service", Component.INGEST,
            "trainer-service", Component.TRAINER, "inference-service", Component.INFERENCE, "console", Component.CONSOLE);

    static String doc() throws IOException {
        return Files.readString(Path.of(System.getProperty("fmnist.repo.dir", "..")).resolve("docs/operations.md"));
    }

    @Test
    void everyProcessGetsTheDocumentedHeapCollectorAndCaps() throws IOException {
        String doc = doc();
        Matcher common = COMMON.matcher(doc);
        assertTrue(common.find(), "docs/operations.md states the common flags");
        assertEquals(List.of(common.group(1).split("\\s+")), JvmOptions.COMMON);
        assertEquals(Map.of(common.group(2), common.group(3)), JvmOptions.ENVIRONMENT);
        Matcher row = ROW.matcher(doc);
        int rows = 0;
        while (row.find()) {
            Component c = PROCESSES.get(row.group(1));
            List<String> flags = JvmOptions.of(c);
            assertEquals("-Xmx" + row.group(2) + "m", flags.get(0), row.group(1));
            assertEquals(row.group(3), flags.get(1), row.group(1));
            assertTrue(flags.containsAll(JvmOptions.COMMON), row.group(1));
            rows++;
        }
        // one row per kind of process: a cluster's nodes 2 and 3 are the broker process of node 1
        assertEquals(java.util.Arrays.stream(Component.values()).filter(c -> c.node() <= 1).count(), rows, "one row per process");
    }

    @Test
    void theTrimFlagGoesOnlyToJdksThatKnowIt() {
        assertTrue(JvmOptions.trimsNativeHeap(Runtime.Version.parse("17.0.9")));
        assertTrue(JvmOptions.trimsNativeHeap(Runtime.Version.parse("17.0.15+6")));
        assertTrue(JvmOptions.trimsNativeHeap(Runtime.Version.parse("21")));
        assertFalse(JvmOptions.trimsNativeHeap(Runtime.Version.parse("17.0.8")));
        assertFalse(JvmOptions.trimsNativeHeap(Runtime.Version.parse("19.0.2")));
    }
}
