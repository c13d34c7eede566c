package dev.fmnist.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The repository checked out around this module, and readers for its YAML and JSON files. */
final class Repo {
    static final Path ROOT = Path.of(System.getProperty("fmnist.repo.dir", "..")).toAbsolutePath().normalize();
    static final List<String> SERVICES = List.of("ingest-service", "trainer-service", "inference-service");

    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT.relativize(file), e);
        }
    }

    /** Every document of a YAML file (empty documents skipped); fails on a syntax error. */
    static List<JsonNode> yamlDocuments(Path file) {
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            return nonEmptyDocuments(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("invalid YAML in " + ROOT.relativize(file) + ": " + e.getMessage(), e);
        }
    }

    /** Every document of a YAML text (empty documents skipped); fails on a syntax error. */
    static List<JsonNode> yamlDocuments(String text) {
        try (var parser = YAML.getFactory().createParser(text)) {
            return nonEmptyDocuments(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("invalid YAML: " + e.getMessage(), e);
        }
    }

    private static List<JsonNode> nonEmptyDocuments(JsonParser parser) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        var it = YAML.readValues(parser, JsonNode.class);
        while (it.hasNext()) {
            JsonNode doc = it.next();
            if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                docs.add(doc);
            }
        }
        return docs;
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> docs = yamlDocuments(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(ROOT.relativize(file) + " has " + docs.size() + " documents, expected 1");
        }
        return docs.get(0);
    }

    /** A .properties file (profile-prefixed keys stay as they are). */
    static java.util.Properties properties(Path file) {
        java.util.Properties properties = new java.util.Properties();
        try (var reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT.relativize(file), e);
        }
        return properties;
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("invalid JSON in " + ROOT.relativize(file) + ": " + e.getMessage(), e);
        }
    }

    /** Files under {@code dir} whose name ends with one of the suffixes, sorted. */
    static List<Path> files(Path dir, String... suffixes) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The executable on PATH, if any. */
    static java.util.Optional<Path> executable(String name) {
        String pathVar = System.getenv().getOrDefault("PATH", "");
        for (String dir : pathVar.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }

    /** Runs a command in the repository root; returns exit code and combined output. */
    static ProcessResult run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new ProcessResult(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record ProcessResult(int exitCode, String output) {
    }
}
