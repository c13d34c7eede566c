package dev.fmnist.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a kustomization without the kustomize binary: follows resources and components (files and
 * directories), checks that every file it names (resources, generator files, patches) exists inside the
 * kustomization's directory tree or is a kustomization directory, and returns the resource documents it
 * would start from. Patches are checked to exist and parse, not applied; that is what kubectl kustomize
 * does in KustomizeRenderTest.
 */
final class Kustomization {
    private Kustomization() {
    }

    /** One document with the file it came from. */
    record Source(Path file, JsonNode document) {
    }

    static List<Source> resolve(Path dir) {
        List<Source> out = new ArrayList<>();
        resolve(dir.normalize(), out, new ArrayList<>());
        return out;
    }

    private static void resolve(Path dir, List<Source> out, List<Path> stack) {
        assertTrue(!stack.contains(dir), "kustomization cycle through " + Repo.ROOT.relativize(dir));
        stack.add(dir);
        Path file = dir.resolve("kustomization.yaml");
        assertTrue(Files.isRegularFile(file), "no kustomization.yaml in " + Repo.ROOT.relativize(dir));
        JsonNode k = Repo.yaml(file);
        String kind = k.path("kind").asText();
        assertTrue(kind.equals("Kustomization") || kind.equals("Component"), file + ": kind " + kind);

        for (JsonNode entry : k.path("resources")) {
            Path target = dir.resolve(entry.asText()).normalize();
            if (Files.isDirectory(target)) {
                resolve(target, out, stack);
            } else {
                assertInside(dir, target, file);
                assertTrue(Files.isRegularFile(target), file + " names a missing resource " + entry.asText());
                for (JsonNode doc : Repo.yamlDocuments(target)) {
                    out.add(new Source(target, doc));
                }
            }
        }
        for (JsonNode entry : k.path("components")) {
            Path target = dir.resolve(entry.asText()).normalize();
            assertTrue(Files.isDirectory(target), file + " names a missing component " + entry.asText());
            resolve(target, out, stack);
        }
        for (JsonNode generator : k.path("configMapGenerator")) {
            var data = new com.fasterxml.jackson.databind.node.ObjectNode(
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance);
            for (JsonNode entry : generator.path("files")) {
                String spec = entry.asText();
                String key = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : Path.of(spec).getFileName().toString();
                String relative = spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : spec;
                Path source = dir.resolve(relative).normalize();
                assertInside(dir, source, file);
                assertTrue(Files.isRegularFile(source), file + " generates from a missing file " + relative);
                data.put(key, Repo.read(source));
            }
            var cm = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            cm.put("apiVersion", "v1").put("kind", "ConfigMap");
            cm.putObject("metadata").put("name", generator.path("name").asText());
            cm.set("data", data);
            out.add(new Source(file, cm));
        }
        for (JsonNode patch : k.path("patches")) {
            if (patch.has("path")) {
                Path target = dir.resolve(patch.path("path").asText()).normalize();
                assertInside(dir, target, file);
                assertTrue(Files.isRegularFile(target), file + " names a missing patch " + patch.path("path").asText());
                assertTrue(!Repo.yamlDocuments(target).isEmpty(), target + " is an empty patch");
            } else {
                assertTrue(patch.has("patch"), file + ": a patch entry without path or patch");
                assertTrue(!Repo.yamlDocuments(patch.path("patch").asText()).isEmpty(), file + ": empty inline patch");
            }
        }
        stack.remove(stack.size() - 1);
    }

    /** kustomize's default load restrictor: a file must lie in the kustomization's directory tree. */
    private static void assertInside(Path dir, Path target, Path kustomization) {
        assertTrue(target.startsWith(dir), kustomization + " loads " + target
                + " from outside its directory (kustomize's load restrictor refuses that)");
    }
}
