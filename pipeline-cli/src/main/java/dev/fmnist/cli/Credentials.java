package dev.fmnist.cli;

import dev.fmnist.contracts.SnapshotSigning;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The secrets of a local run, made on first use in the state folder, readable by their owner only
 * (mode 0600): {@code admin-token} (training control, pin/rollback), {@code writer-token} (uploads,
 * publication), {@code snapshot-key} (the trainer's Ed25519 private key; inference and the console get
 * its public key) and {@code model-control-key} (inference's Ed25519 private key for pins, verdicts and
 * alerts; the console gets its public key to verify alerts).
 * A {@code snapshot-key} made before Ed25519 (32 random bytes) is a valid private key as it is. They reach
 * the services as environment variables, never on a command line (which any local user can read with
 * {@code ps}).
 */
public final class Credentials {
    public static final String ADMIN_TOKEN_FILE = "admin-token";
    public static final String WRITER_TOKEN_FILE = "writer-token";
    public static final String SNAPSHOT_KEY_FILE = "snapshot-key";
    public static final String MODEL_CONTROL_KEY_FILE = "model-control-key";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path home;
    private final String adminToken;
    private final String writerToken;
    private final String snapshotKey;
    private final String modelControlKey;

    private Credentials(Path home, String adminToken, String writerToken, String snapshotKey, String modelControlKey) {
        this.home = home;
        this.adminToken = adminToken;
        this.writerToken = writerToken;
        this.snapshotKey = snapshotKey;
        this.modelControlKey = modelControlKey;
    }

    /** Reads the run's secrets, creating any that is missing. */
    public static Credentials ensure(Path home) {
        return new Credentials(home,
                readOrCreate(home.resolve(ADMIN_TOKEN_FILE), Credentials::token),
                readOrCreate(home.resolve(WRITER_TOKEN_FILE), Credentials::token),
                readOrCreate(home.resolve(SNAPSHOT_KEY_FILE), SnapshotSigning::generatePrivateKey),
                readOrCreate(home.resolve(MODEL_CONTROL_KEY_FILE), SnapshotSigning::generatePrivateKey));
    }

    public String adminToken() {
        return adminToken;
    }

    public String writerToken() {
        return writerToken;
    }

    public Path adminTokenFile() {
        return home.resolve(ADMIN_TOKEN_FILE);
    }

    public Path writerTokenFile() {
        return home.resolve(WRITER_TOKEN_FILE);
    }

    /**
     * What each service gets: the role tokens; the private key of what it signs (the trainer its snapshots,
     * inference its pins, verdicts and alerts); the trainer's public key where snapshots are read. The console
     * gets public keys only (the trainer's, and inference's model-control one for fmnist.alerts): it forwards
     * the person's own token, holds no secret and cannot forge a snapshot or an alert.
     */
    public Map<String, String> environment(Component c) {
        Map<String, String> env = new LinkedHashMap<>();
        if (c == Component.INFERENCE || c == Component.CONSOLE) {
            env.put("FMNIST_SNAPSHOTS_PUBLIC_KEYS", SnapshotSigning.publicKeyOf(snapshotKey));
        }
        if (c == Component.CONSOLE) {
            env.put("FMNIST_MODEL_CONTROL_PUBLIC_KEYS", SnapshotSigning.publicKeyOf(modelControlKey));
        }
        if (c != Component.INGEST && c != Component.TRAINER && c != Component.INFERENCE) {
            return env;
        }
        env.put("FMNIST_AUTH_ADMIN_TOKENS", adminToken);
        env.put("FMNIST_AUTH_WRITER_TOKENS", writerToken);
        if (c == Component.TRAINER) {
            env.put("FMNIST_SNAPSHOTS_SIGNING_KEY", snapshotKey);
        } else if (c == Component.INFERENCE) {
            env.put("FMNIST_MODEL_CONTROL_SIGNING_KEY", modelControlKey);
        }
        return env;
    }

    /** 32 random bytes, URL-safe base64 without padding (43 characters). */
    static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String readOrCreate(Path file, java.util.function.Supplier<String> make) {
        try {
            if (Files.isRegularFile(file)) {
                String value = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (value.isEmpty()) {
                    throw new CliException(file + " is empty: delete it to have a new one made", 1);
                }
                return value;
            }
            Files.createDirectories(file.getParent());
            String value = make.get();
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                return readOrCreate(file, make); // made meanwhile by another ./fmnist
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
            if (!Files.getPosixFilePermissions(file).equals(Set.copyOf(PosixFilePermissions.fromString("rw-------")))) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            return value;
        } catch (IOException e) {
            throw new CliException("cannot read or create " + file + ": " + e.getMessage(), 1);
        }
    }
}
