package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The three Dockerfile.jvm: fast-jar layout, non-root, the port of the service, DJL natives baked in. */
class DockerfilesTest {

    @Test
    void everyImageRunsTheFastJarAsNonRootOnItsPort() {
        for (var entry : ComposeFileTest.SERVICE_PORTS.entrySet()) {
            String dockerfile = dockerfile(entry.getKey());
            List<String> users = matches(dockerfile, "(?m)^USER\\s+(\\S+)$");
            assertEquals(List.of("1001"), users, entry.getKey() + " runs as uid 1001");
            assertTrue(dockerfile.contains("COPY target/quarkus-app/lib/ /deployments/lib/"), entry.getKey());
            assertTrue(dockerfile.contains("COPY target/quarkus-app/quarkus/ /deployments/quarkus/"), entry.getKey());
            assertTrue(dockerfile.contains("-jar /deployments/quarkus-run.jar"), entry.getKey());
            assertEquals(List.of(String.valueOf(entry.getValue())), matches(dockerfile, "(?m)^EXPOSE\\s+(\\d+)$"));
            assertTrue(dockerfile.contains("QUARKUS_HTTP_PORT=" + entry.getValue()), entry.getKey());
            assertEquals("eclipse-temurin:17-jre", lastFrom(dockerfile), entry.getKey() + " runtime base");
        }
    }

    @Test
    void djlImagesExtractTheNativesAtBuildTimeAndRunOffline() {
        String source = Repo.read(Repo.path("trainer-service/src/main/docker/DjlNatives.java"));
        for (String service : List.of("trainer-service", "inference-service")) {
            String dockerfile = dockerfile(service);
            assertTrue(dockerfile.contains("DJL_CACHE_DIR=/opt/djl"), service);
            assertTrue(dockerfile.contains("DJL_OFFLINE=true"), service);
            assertTrue(dockerfile.contains("COPY --from=djl-natives /opt/djl /opt/djl"), service);
            assertTrue(dockerfile.contains("COPY src/main/docker/DjlNatives.java"), service);
            assertEquals(source, Repo.read(Repo.path(service + "/src/main/docker/DjlNatives.java")),
                    "both DJL images run the same extraction step");
        }
        assertTrue(!dockerfile("ingest-service").contains("DJL_"), "ingest does not use DJL");
    }

    @Test
    void ingestImageCarriesDebiansFashionMnist() {
        String dockerfile = dockerfile("ingest-service");
        assertTrue(dockerfile.contains("apt-get install -y --no-install-recommends dataset-fashion-mnist"));
        assertTrue(dockerfile.contains("COPY --from=dataset /usr/share/datasets/fashion-mnist/ /usr/share/datasets/fashion-mnist/"));
        assertTrue(dockerfile.contains("FMNIST_INGEST_DOWNLOAD=false"), "the image never downloads");
    }

    private static String dockerfile(String service) {
        Path file = Repo.path(service + "/src/main/docker/Dockerfile.jvm");
        assertTrue(Files.isRegularFile(file), "missing " + file);
        return Repo.read(file);
    }

    private static String lastFrom(String dockerfile) {
        List<String> froms = matches(dockerfile, "(?m)^FROM\\s+(\\S+)");
        return froms.get(froms.size() - 1);
    }

    private static List<String> matches(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
