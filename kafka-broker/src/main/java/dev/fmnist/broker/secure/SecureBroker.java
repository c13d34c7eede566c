package dev.fmnist.broker.secure;

import dev.fmnist.broker.KafkaBroker;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * The pipeline's broker in its secured mode: a {@link KafkaBroker} whose only client listener is
 * SASL_SSL (SCRAM-SHA-512 over TLS), with the {@link PipelineAcls} plan in force and one SCRAM user
 * per {@link PipelinePrincipal}. Its secrets folder holds what clients need and nothing they do
 * not: {@code ca.truststore.p12} and {@code ca.crt} (the CA), the broker's keystore, the generated
 * passwords, and per principal {@code <name>.kafka.properties} (Quarkus {@code kafka.*} keys) and
 * {@code <name>.client.properties} (plain Kafka client keys), all 0600 in a 0700 folder.
 *
 * <p>Start-up: passwords and certificates are made on first use (and reused afterwards), the data
 * folder is formatted with every SCRAM user ({@code Formatter#setScramArguments}, the API behind
 * {@code kafka-storage format --add-scram}), the broker starts, and its super user writes the ACLs
 * and waits until the broker enforces them. Topics are not created here: that is the
 * {@link PipelinePrincipal#OPERATOR}'s job ({@code Topics.ensure} with its client properties).
 */
public final class SecureBroker implements AutoCloseable {
    /** The broker's own principal ({@code super.users}); never handed to a service. */
    public static final String SUPER_USER = "broker";
    private static final String SECURED_MARKER = "fmnist-secured";
    private static final Duration ACL_WAIT = Duration.ofSeconds(30);

    private final KafkaBroker broker;
    private final Path secretsDir;
    private final TlsMaterial tls;
    private final BrokerSecrets secrets;

    private SecureBroker(KafkaBroker broker, Path secretsDir, TlsMaterial tls, BrokerSecrets secrets) {
        this.broker = broker;
        this.secretsDir = secretsDir;
        this.tls = tls;
        this.secrets = secrets;
    }

    /** A secured broker on free localhost ports with its data and secrets under {@code dir} (tests). */
    public static SecureBroker ephemeral(Path dir) {
        return start(dir.resolve("data"), dir.resolve("secrets"), "localhost", 0, 0);
    }

    /**
     * Starts the secured broker and returns once the ACLs are enforced.
     *
     * @param dataDir        the broker's log and metadata folder; one formatted by a plaintext broker cannot be reused
     * @param secretsDir     the folder of the CA, keystores, passwords and client property files
     * @param host           interface to listen on, advertised and named in the certificate
     * @param port           SASL_SSL client port; 0 picks a free one
     * @param controllerPort TLS controller port; 0 picks a free one
     */
    public static SecureBroker start(Path dataDir, Path secretsDir, String host, int port, int controllerPort) {
        Path secrets = secretsDir.toAbsolutePath();
        PrivateFiles.createDirectory(secrets);
        List<String> users = new ArrayList<>();
        users.add(SUPER_USER);
        for (PipelinePrincipal p : PipelinePrincipal.values()) {
            users.add(p.userName());
        }
        if (!Files.exists(secrets.resolve(BrokerSecrets.FILE)) && KafkaBroker.isFormatted(dataDir.toAbsolutePath())) {
            // Its metadata holds other SCRAM users (or none): new passwords would be refused. Checked before writing any.
            throw new IllegalStateException("the data folder " + dataDir.toAbsolutePath() + " was formatted before without the"
                    + " credentials in " + secrets + " (by a plaintext broker, or its secrets were deleted); use a new data"
                    + " folder for the secured broker or delete this one");
        }
        BrokerSecrets passwords = BrokerSecrets.loadOrCreate(secrets, users);
        TlsMaterial tls = TlsMaterial.loadOrCreate(secrets, SUPER_USER, host,
                passwords.keystorePassword(), passwords.truststorePassword());
        KafkaBroker.Security security = new KafkaBroker.Security(tls.keystore(), tls.keystorePassword(), tls.truststore(),
                tls.truststorePassword(), SUPER_USER, passwords.userPasswords());
        KafkaBroker broker = KafkaBroker.start(new KafkaBroker.Settings(dataDir, host, port, controllerPort, Map.of(), security));
        SecureBroker secured = new SecureBroker(broker, secrets, tls, passwords);
        try {
            markSecured(dataDir.toAbsolutePath());
            secured.applyAcls();
            secured.writeClientFiles();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return secured;
    }

    /**
     * Whether a secured broker has used this data folder: the plaintext broker must not serve its
     * data without authentication ({@link dev.fmnist.broker.LocalKafkaMain} refuses to).
     */
    public static boolean isSecured(Path dataDir) {
        return Files.exists(dataDir.resolve(SECURED_MARKER));
    }

    private static void markSecured(Path dataDir) {
        if (!isSecured(dataDir)) {
            PrivateFiles.write(dataDir.resolve(SECURED_MARKER), "SASL_SSL\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** host:port of the TLS controller listener (only the broker's own certificate is accepted there). */
    String controllerServers() {
        return broker.settings().host() + ":" + broker.settings().controllerPort();
    }

    /** The folder with the truststore, passwords and client property files. */
    public Path secretsDir() {
        return secretsDir;
    }

    /** The CA's PKCS12 truststore every client needs. */
    public Path truststore() {
        return tls.truststore();
    }

    /**
     * The Kafka client configuration of a principal (plain client keys: {@code bootstrap.servers},
     * {@code security.protocol=SASL_SSL}, {@code sasl.mechanism=SCRAM-SHA-512}, {@code sasl.jaas.config},
     * {@code ssl.truststore.*}), for an Admin, producer or consumer.
     */
    public Map<String, String> clientProperties(PipelinePrincipal principal) {
        return clientProperties(principal.userName(), secrets.userPasswords().get(principal.userName()));
    }

    /** The same, with the {@code kafka.} prefix a Quarkus service reads ({@code kafka.security.protocol}, ...). */
    public Map<String, String> quarkusProperties(PipelinePrincipal principal) {
        return prefixed(clientProperties(principal));
    }

    /**
     * The client configuration of any user name and password on this broker, e.g. a wrong password
     * in a test. For the pipeline's principals use {@link #clientProperties(PipelinePrincipal)}.
     */
    public Map<String, String> clientProperties(String user, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", bootstrapServers());
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", KafkaBroker.Security.jaasConfig(user, password));
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", tls.truststore().toString());
        p.put("ssl.truststore.password", tls.truststorePassword());
        return Map.copyOf(p);
    }

    /** A principal's client properties from a secrets folder that a secured broker wrote (another process, a test). */
    public static Map<String, String> readClientProperties(Path secretsDir, PipelinePrincipal principal) {
        Path file = secretsDir.resolve(clientFileName(principal));
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (written by a secured broker's start)", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return Map.copyOf(out);
    }

    /** {@code <name>.client.properties}: plain Kafka client keys. */
    public static String clientFileName(PipelinePrincipal principal) {
        return principal.userName() + ".client.properties";
    }

    /** {@code <name>.kafka.properties}: the {@code kafka.*} keys for a Quarkus service ({@code quarkus.config.locations}). */
    public static String quarkusFileName(PipelinePrincipal principal) {
        return principal.userName() + ".kafka.properties";
    }

    /** Blocks until the broker has shut down (the local process). */
    public void awaitShutdown() {
        broker.awaitShutdown();
    }

    @Override
    public void close() {
        broker.close();
    }

    private Map<String, String> superUserProperties() {
        return clientProperties(SUPER_USER, secrets.userPasswords().get(SUPER_USER));
    }

    /** Writes the plan (creating an ACL that exists is a no-op) and waits until the broker answers with all of it. */
    private void applyAcls() {
        List<AclBinding> plan = PipelineAcls.all();
        Map<String, Object> config = new LinkedHashMap<>(superUserProperties());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ACL_WAIT.toMillis());
        try (Admin admin = Admin.create(config)) {
            admin.createAcls(plan).all().get(ACL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + ACL_WAIT.toNanos();
            while (!enforced(admin.describeAcls(AclBindingFilter.ANY).values().get(), plan)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not report its ACLs within " + ACL_WAIT);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the ACLs", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("could not write the ACLs as " + SUPER_USER + ": " + cause.getMessage(), cause);
        }
    }

    private static boolean enforced(Collection<AclBinding> present, List<AclBinding> plan) {
        Set<AclBinding> have = new HashSet<>(present);
        return have.containsAll(plan);
    }

    private void writeClientFiles() {
        for (PipelinePrincipal p : PipelinePrincipal.values()) {
            writeProperties(secretsDir.resolve(clientFileName(p)), clientProperties(p),
                    "Kafka client settings of User:" + p.userName() + " (secret)");
            writeProperties(secretsDir.resolve(quarkusFileName(p)), quarkusProperties(p),
                    "kafka.* settings of User:" + p.userName() + " for a Quarkus service (secret)");
        }
    }

    private static void writeProperties(Path file, Map<String, String> values, String comment) {
        Properties p = new Properties();
        p.putAll(values);
        StringWriter out = new StringWriter();
        try {
            p.store(out, comment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivateFiles.write(file, out.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Map<String, String> prefixed(Map<String, String> client) {
        Map<String, String> out = new LinkedHashMap<>();
        client.forEach((k, v) -> out.put("kafka." + k, v));
        return Map.copyOf(out);
    }

    @Override
    public String toString() {
        return "SecureBroker[" + bootstrapServers() + ", secrets " + secretsDir + "]";
    }
}
