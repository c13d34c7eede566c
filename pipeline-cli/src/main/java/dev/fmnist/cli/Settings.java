package dev.fmnist.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a local run lives and which ports it uses. Every value has an environment variable:
 * FMNIST_HOME (state folder, default .fmnist in the repository), FMNIST_KAFKA_PORT (9092),
 * FMNIST_KAFKA_CONTROLLER_PORT (9093), FMNIST_INFERENCE_PORT (8080), FMNIST_INGEST_PORT (8081),
 * FMNIST_TRAINER_PORT (8082), FMNIST_CONSOLE_PORT (8083), FMNIST_DATA_DIR (Fashion-MNIST folder; else the Debian path, else a
 * download), FMNIST_BOOTSTRAP_SERVERS (use a running broker instead of starting one), FMNIST_BIND_HOST
 * (the interface the services listen on: 127.0.0.1, so only this machine reaches them, unless told
 * otherwise, e.g. 0.0.0.0).
 */
public record Settings(Path repo, Path home, int kafkaPort, int controllerPort, int inferencePort, int ingestPort,
                       int trainerPort, int consolePort, Optional<Path> dataDir, Optional<String> externalBootstrap, String bindHost) {

    /** Every variable {@link #fromEnvironment} reads. */
    public static final List<String> VARIABLES = List.of("FMNIST_HOME", "FMNIST_KAFKA_PORT", "FMNIST_KAFKA_CONTROLLER_PORT",
            "FMNIST_INFERENCE_PORT", "FMNIST_INGEST_PORT", "FMNIST_TRAINER_PORT", "FMNIST_CONSOLE_PORT", "FMNIST_DATA_DIR",
            "FMNIST_BOOTSTRAP_SERVERS", "FMNIST_BIND_HOST");

    public static Settings fromEnvironment(Path repo, Map<String, String> env) {
        Path home = Optional.ofNullable(env.get("FMNIST_HOME")).filter(s -> !s.isBlank()).map(Path::of)
                .orElse(repo.resolve(".fmnist"));
        return new Settings(repo, home.toAbsolutePath(),
                port(env, "FMNIST_KAFKA_PORT", 9092),
                port(env, "FMNIST_KAFKA_CONTROLLER_PORT", 9093),
                port(env, "FMNIST_INFERENCE_PORT", 8080),
                port(env, "FMNIST_INGEST_PORT", 8081),
                port(env, "FMNIST_TRAINER_PORT", 8082),
                port(env, "FMNIST_CONSOLE_PORT", 8083),
                Optional.ofNullable(env.get("FMNIST_DATA_DIR")).filter(s -> !s.isBlank()).map(p -> Path.of(p).toAbsolutePath()),
                Optional.ofNullable(env.get("FMNIST_BOOTSTRAP_SERVERS")).filter(s -> !s.isBlank()),
                Optional.ofNullable(env.get("FMNIST_BIND_HOST")).filter(s -> !s.isBlank()).map(String::strip)
                        .orElse("127.0.0.1"));
    }

    /**
     * The variables that make {@link #fromEnvironment} give these settings back (those of {@link #VARIABLES}
     * not in the map are unset): how a re-executed launcher (the supervisor of {@code up -d}) gets them.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FMNIST_HOME", home.toString());
        env.put("FMNIST_KAFKA_PORT", Integer.toString(kafkaPort));
        env.put("FMNIST_KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort));
        env.put("FMNIST_INFERENCE_PORT", Integer.toString(inferencePort));
        env.put("FMNIST_INGEST_PORT", Integer.toString(ingestPort));
        env.put("FMNIST_TRAINER_PORT", Integer.toString(trainerPort));
        env.put("FMNIST_CONSOLE_PORT", Integer.toString(consolePort));
        dataDir.ifPresent(d -> env.put("FMNIST_DATA_DIR", d.toString()));
        externalBootstrap.ifPresent(b -> env.put("FMNIST_BOOTSTRAP_SERVERS", b));
        env.put("FMNIST_BIND_HOST", bindHost);
        return env;
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int p = Integer.parseInt(v.trim());
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new CliException(name + "=" + v + " is not a port number (1-65535)", 2);
        }
    }

    public Settings withHome(Path newHome) {
        return new Settings(repo, newHome, kafkaPort, controllerPort, inferencePort, ingestPort, trainerPort, consolePort, dataDir,
                externalBootstrap, bindHost);
    }

    public Settings withExternalBootstrap(String bootstrap) {
        return new Settings(repo, home, kafkaPort, controllerPort, inferencePort, ingestPort, trainerPort, consolePort, dataDir,
                Optional.of(bootstrap), bindHost);
    }

    public Settings withPorts(int inference, int ingest, int trainer) {
        return new Settings(repo, home, kafkaPort, controllerPort, inference, ingest, trainer, consolePort, dataDir,
                externalBootstrap, bindHost);
    }

    public Settings withConsolePort(int console) {
        return new Settings(repo, home, kafkaPort, controllerPort, inferencePort, ingestPort, trainerPort, console, dataDir,
                externalBootstrap, bindHost);
    }

    public Settings withDataDir(Path dir) {
        return new Settings(repo, home, kafkaPort, controllerPort, inferencePort, ingestPort, trainerPort,
                consolePort, Optional.of(dir), externalBootstrap, bindHost);
    }

    public String bootstrapServers() {
        return externalBootstrap.orElse("localhost:" + kafkaPort);
    }

    public int httpPort(Component c) {
        return switch (c) {
            case INFERENCE -> inferencePort;
            case INGEST -> ingestPort;
            case TRAINER -> trainerPort;
            case CONSOLE -> consolePort;
            case KAFKA, KAFKA_2, KAFKA_3 -> brokerPort(c.node());
        };
    }

    /**
     * The client port of broker node {@code node}: FMNIST_KAFKA_PORT for node 1 (the single broker), then every
     * second port (9092, 9094, 9096), the controller ports between them ({@link #brokerControllerPort}).
     */
    public int brokerPort(int node) {
        return kafkaPort + 2 * (node - 1);
    }

    /** The controller port of broker node {@code node}: FMNIST_KAFKA_CONTROLLER_PORT for node 1, then 9095, 9097. */
    public int brokerControllerPort(int node) {
        return controllerPort + 2 * (node - 1);
    }

    /** The client addresses of nodes 1..{@code brokers} (a running broker elsewhere: FMNIST_BOOTSTRAP_SERVERS). */
    public String bootstrapServers(int brokers) {
        if (externalBootstrap.isPresent() || brokers <= 1) {
            return bootstrapServers();
        }
        java.util.List<String> all = new java.util.ArrayList<>();
        for (int n = 1; n <= brokers; n++) {
            all.add("localhost:" + brokerPort(n));
        }
        return String.join(",", all);
    }

    /** The data folder of cluster node {@code node} (the single broker's is {@link #kafkaData()}). */
    public Path clusterData(int node) {
        return clusterHome().resolve("node-" + node);
    }

    /** Where a cluster's data folders and its cluster id live. */
    public Path clusterHome() {
        return home.resolve("kafka-cluster");
    }

    /** Written by {@code up --brokers N} for status, kill-broker and start-broker; absent for a single broker. */
    public Path clusterFile() {
        return home.resolve("run").resolve("cluster.properties");
    }

    /** Present while broker {@code c} is held down by {@code kill-broker}: the supervisor does not restart it. */
    public Path holdFile(Component c) {
        return home.resolve("run").resolve(c.id() + ".held");
    }

    public String baseUrl(Component c) {
        return "http://localhost:" + httpPort(c);
    }

    public Path logs() {
        return home.resolve("logs");
    }

    public Path log(Component c) {
        return logs().resolve(c.id() + ".log");
    }

    public Path pidFile(Component c) {
        return home.resolve("run").resolve(c.id() + ".pid");
    }

    /** The pid file of the process that restarts components that exit (a detached run's supervisor, or an attached up). */
    public Path supervisorPidFile() {
        return home.resolve("run").resolve("supervisor.pid");
    }

    public Path supervisorLog() {
        return logs().resolve("supervisor.log");
    }

    /** Restart counts and last causes per component of the current run. */
    public Path restartsFile() {
        return home.resolve("run").resolve("restarts.properties");
    }

    public Path kafkaData() {
        return home.resolve("kafka");
    }

    public Path serviceJar(Component c) {
        return repo.resolve(c.marker()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public Path brokerClasspathDir() {
        return repo.resolve("kafka-broker/target");
    }

    /** Whether the built artifacts a run needs are all there. */
    public boolean built() {
        return Files.isRegularFile(serviceJar(Component.INGEST)) && Files.isRegularFile(serviceJar(Component.TRAINER))
                && Files.isRegularFile(serviceJar(Component.INFERENCE)) && Files.isRegularFile(serviceJar(Component.CONSOLE))
                && Files.isDirectory(brokerClasspathDir().resolve("lib"));
    }
}
