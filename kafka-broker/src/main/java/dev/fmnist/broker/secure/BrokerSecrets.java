package dev.fmnist.broker.secure;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The generated passwords of a secured broker (keystore, truststore, one per SCRAM user), kept in
 * {@code secrets.properties} (0600) so that a restarted broker and its clients agree on them. Made
 * once from a {@link SecureRandom} (128 bits each, hex so that they need no quoting in JAAS lines).
 */
record BrokerSecrets(String keystorePassword, String truststorePassword, Map<String, String> userPasswords) {
    static final String FILE = "secrets.properties";
    private static final String KEYSTORE = "keystore.password";
    private static final String TRUSTSTORE = "truststore.password";
    private static final String USER = "user.";
    private static final String USER_SUFFIX = ".password";

    /** Loads the folder's secrets, or generates and writes them for {@code users} if there are none yet. */
    static BrokerSecrets loadOrCreate(Path dir, List<String> users) {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            return load(file, users);
        }
        SecureRandom random = new SecureRandom();
        Map<String, String> passwords = new LinkedHashMap<>();
        users.forEach(u -> passwords.put(u, password(random)));
        BrokerSecrets secrets = new BrokerSecrets(password(random), password(random), passwords);
        Properties p = new Properties();
        p.setProperty(KEYSTORE, secrets.keystorePassword());
        p.setProperty(TRUSTSTORE, secrets.truststorePassword());
        passwords.forEach((u, pw) -> p.setProperty(USER + u + USER_SUFFIX, pw));
        StringWriter out = new StringWriter();
        try {
            p.store(out, "fmnist secured broker: generated passwords (keep private)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivateFiles.write(file, out.toString().getBytes(StandardCharsets.ISO_8859_1));
        return secrets;
    }

    private static BrokerSecrets load(Path file, List<String> users) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String u : users) {
            passwords.put(u, required(p, USER + u + USER_SUFFIX, file));
        }
        return new BrokerSecrets(required(p, KEYSTORE, file), required(p, TRUSTSTORE, file), passwords);
    }

    private static String required(Properties p, String key, Path file) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(file + " has no " + key + "; delete the secrets folder and the broker's data folder to start over");
        }
        return value.trim();
    }

    private static String password(SecureRandom random) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public String toString() {
        return "BrokerSecrets[" + userPasswords.keySet() + "]"; // never the passwords
    }
}
