package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The three Dockerfile.jvm: root build context, fast-jar layout, non-root, the service's port, DJL natives baked in. */
class DockerfilesTest {
    private static final String DJL_NATIVES = "docker/djl/DjlNatives.java";

    @Test
    void everyImageRunsTheFastJarAsNonRootOnItsPort() {
        for (var entry : ComposeFileTest.SERVICE_PORTS.entrySet()) {
            String dockerfile = dockerfile(entry.getKey());
            List<String> users = matches(dockerfile, "(?m)^USER\\s+(\\S+)$");
            assertEquals(List.of("1001"), users, entry.getKey() + " runs as uid 1001");
            String app = "COPY " + entry.getKey() + "/target/quarkus-app/";
            assertTrue(dockerfile.contains(app + "lib/ /deployments/lib/"), entry.getKey());
            assertTrue(dockerfile.contains(app + "quarkus/ /deployments/quarkus/"), entry.getKey());
            assertTrue(dockerfile.contains("-jar /deployments/quarkus-run.jar"), entry.getKey());
            assertEquals(List.of(String.valueOf(entry.getValue())), matches(dockerfile, "(?m)^EXPOSE\\s+(\\d+)$"));
            assertTrue(dockerfile.contains("QUARKUS_HTTP_PORT=" + entry.getValue()), entry.getKey());
            assertEquals("eclipse-temurin:17-jre", lastFrom(dockerfile), entry.getKey() + " runtime base");
        }
    }

    @Test
    void djlImagesExtractTheNativesAtBuildTimeAndRunOffline() {
        for (String service : List.of("trainer-service", "inference-service")) {
            String dockerfile = dockerfile(service);
            assertTrue(dockerfile.contains("DJL_CACHE_DIR=/opt/djl"), service);
            assertTrue(dockerfile.contains("DJL_OFFLINE=true"), service);
            assertTrue(dockerfile.contains("COPY --from=djl-natives /opt/djl /opt/djl"), service);
            assertTrue(dockerfile.contains("COPY " + DJL_NATIVES + " /build/DjlNatives.java"), service);
            assertTrue(dockerfile.contains("COPY " + service + "/target/quarkus-app/lib/ /build/lib/"),
                    service + " extracts the natives from its own jars");
        }
        assertTrue(!dockerfile("ingest-service").contains("DJL_"), "ingest does not use DJL");
    }

    @Test
    void theDjlExtractionStepExistsOnce() {
        assertTrue(Files.isRegularFile(Repo.path(DJL_NATIVES)), "missing " + DJL_NATIVES);
        assertEquals(List.of(Repo.path(DJL_NATIVES)), sourcesNamed("DjlNatives.java"),
                "one DjlNatives.java, shared by both DJL images");
    }

    /** With the repository root as context, every COPY reads its own module's output or docker/, both let through. */
    @Test
    void everyCopySourceIsInTheBuildContext() {
        List<String> ignore = Repo.read(Repo.path(".dockerignore")).lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertEquals("*", ignore.get(0), ".dockerignore starts by excluding everything");
        List<String> allowed = ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
        assertEquals(ignore.size() - 1, allowed.size(), "after '*' only exceptions: " + ignore);
        for (String service : Repo.SERVICES) {
            List<String> sources = matches(dockerfile(service), "(?m)^COPY\\s+(?!--from=)(\\S+)\\s");
            assertTrue(!sources.isEmpty(), service);
            for (String source : sources) {
                assertTrue(source.startsWith(service + "/target/quarkus-app/") || source.startsWith("docker/"),
                        service + " copies " + source + ": only its own quarkus-app or the shared docker/");
                assertTrue(allowed.stream().anyMatch(source::startsWith), ".dockerignore leaves out " + source);
                if (source.startsWith("docker/")) {
                    assertTrue(Files.isRegularFile(Repo.path(source)), service + " copies missing " + source);
                }
            }
        }
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

    /** Files of that name in the repository, outside build output, .git and node_modules. */
    private static List<Path> sourcesNamed(String name) {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(Repo.ROOT, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String dirName = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    return Set.of("target", ".git", "node_modules").contains(dirName)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (file.getFileName().toString().equals(name)) {
                        found.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** The runtime base: the last FROM, with a {@code ${ARG}} resolved to that build argument's default. */
    private static String lastFrom(String dockerfile) {
        List<String> froms = matches(dockerfile, "(?m)^FROM\\s+(\\S+)");
        String from = froms.get(froms.size() - 1);
        Matcher arg = Pattern.compile("^\\$\\{(\\w+)}$").matcher(from);
        if (!arg.matches()) {
            return from;
        }
        List<String> defaults = matches(dockerfile, "(?m)^ARG\\s+" + arg.group(1) + "=(\\S+)$");
        assertEquals(1, defaults.size(), "one default for build argument " + arg.group(1));
        return defaults.get(0);
    }

    private static List<String> matches(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
