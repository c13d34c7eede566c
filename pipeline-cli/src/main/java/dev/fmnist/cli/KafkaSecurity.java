package dev.fmnist.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The Kafka side of a secured run ({@code ./fmnist up --secure}): the broker speaks SASL_SSL only
 * (SCRAM-SHA-512, a CA of its own) and each component connects as its own principal with the least
 * rights it needs ({@code PipelineAcls}). The broker writes the CA, the passwords and one client
 * file per principal into {@link #secretsDir()} (0700, files 0600); each component gets its
 * principal's settings as {@code KAFKA_*} environment variables, never on its command line.
 *
 * <p>The file names are kafka-broker's {@code SecureBroker.clientFileName} ({@code <user>.client.properties});
 * the launcher does not link the broker's classes (KafkaSecurityTest checks that both agree).
 */
public final class KafkaSecurity {
    /** The folder under the state folder that a local secured broker keeps its secrets in. */
    public static final String SECRETS_FOLDER = "kafka-secrets";
    /** The data folder of a local secured broker (a plaintext broker's folder cannot be reused secured). */
    public static final String DATA_FOLDER = "kafka-secure";

    private final Path secretsDir;

    public KafkaSecurity(Path secretsDir) {
        this.secretsDir = secretsDir.toAbsolutePath();
    }

    /** The local secured broker's secrets under the state folder. */
    public static KafkaSecurity local(Path home) {
        return new KafkaSecurity(home.resolve(SECRETS_FOLDER));
    }

    public Path secretsDir() {
        return secretsDir;
    }

    /** The settings an outside client (kafka-console-producer, an application) connects with. */
    public Path clientProperties() {
        return clientFile("client");
    }

    /** The broker's CA certificate (PEM), for clients that do not read PKCS12 (librdkafka, kcat). */
    public Path caCertificate() {
        return secretsDir.resolve("ca.crt");
    }

    /** The client file of a principal. */
    Path clientFile(String user) {
        return secretsDir.resolve(user + ".client.properties");
    }

    /** The Kafka user (kafka-broker's {@code PipelinePrincipal}) a component connects as; empty for the broker. */
    static Optional<String> principal(Component c) {
        return switch (c) {
            case INGEST -> Optional.of("ingest");
            case TRAINER -> Optional.of("trainer");
            case INFERENCE -> Optional.of("inference");
            case CONSOLE -> Optional.of("console");
            case KAFKA, KAFKA_2, KAFKA_3 -> Optional.empty();
        };
    }

    /**
     * A component's connection settings as the environment variables Quarkus (and the services' own
     * client factory) read: {@code security.protocol} becomes {@code KAFKA_SECURITY_PROTOCOL}. The
     * bootstrap servers are left out: the command line names them for plaintext and secured runs alike.
     */
    public Map<String, String> environment(Component c) {
        Map<String, String> env = new LinkedHashMap<>();
        Optional<String> user = principal(c);
        if (user.isEmpty()) {
            return env;
        }
        Path file = clientFile(user.get());
        Properties settings = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            settings.load(in);
        } catch (IOException e) {
            throw new CliException("cannot read " + file + " (the secured broker writes it at its start): "
                    + e.getMessage(), 1);
        }
        for (String k : settings.stringPropertyNames()) {
            if (!k.equals("bootstrap.servers")) {
                env.put("KAFKA_" + k.toUpperCase(Locale.ROOT).replace('.', '_'), settings.getProperty(k));
            }
        }
        return env;
    }
}
