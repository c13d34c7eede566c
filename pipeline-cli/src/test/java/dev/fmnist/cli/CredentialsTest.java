package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.SnapshotSigning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsTest {
    @TempDir
    Path home;

    @Test
    void madeOnceOwnerOnlyAndKeptAcrossRuns() throws IOException {
        Credentials first = Credentials.ensure(home);
        for (String f : new String[] {Credentials.ADMIN_TOKEN_FILE, Credentials.WRITER_TOKEN_FILE, Credentials.SNAPSHOT_KEY_FILE,
                Credentials.MODEL_CONTROL_KEY_FILE}) {
            Path p = home.resolve(f);
            assertTrue(Files.isRegularFile(p), f);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), f);
        }
        assertEquals(43, first.adminToken().length());
        assertNotEquals(first.adminToken(), first.writerToken());
        Credentials again = Credentials.ensure(home);
        assertEquals(first.adminToken(), again.adminToken());
        assertEquals(first.writerToken(), again.writerToken());
        // the keys are valid Ed25519 private keys, and two different ones
        String snapshotKey = Files.readString(home.resolve(Credentials.SNAPSHOT_KEY_FILE)).strip();
        String controlKey = Files.readString(home.resolve(Credentials.MODEL_CONTROL_KEY_FILE)).strip();
        assertTrue(SnapshotSigning.signer(snapshotKey, null).canSign());
        assertTrue(SnapshotSigning.signer(controlKey, null).canSign());
        assertNotEquals(snapshotKey, controlKey);
    }

    @Test
    void servicesGetTheirSecretsAsEnvironmentVariables() {
        Credentials c = Credentials.ensure(home);
        assertEquals(c.adminToken(), c.environment(Component.TRAINER).get("FMNIST_AUTH_ADMIN_TOKENS"));
        assertEquals(c.writerToken(), c.environment(Component.INGEST).get("FMNIST_AUTH_WRITER_TOKENS"));
        String privateKey = c.environment(Component.TRAINER).get("FMNIST_SNAPSHOTS_SIGNING_KEY");
        String publicKey = SnapshotSigning.publicKeyOf(privateKey);
        assertEquals(publicKey, c.environment(Component.INFERENCE).get("FMNIST_SNAPSHOTS_PUBLIC_KEYS"));
        assertEquals(publicKey, c.environment(Component.CONSOLE).get("FMNIST_SNAPSHOTS_PUBLIC_KEYS"));
        assertTrue(c.environment(Component.INFERENCE).containsKey("FMNIST_MODEL_CONTROL_SIGNING_KEY"));
        for (Component reader : new Component[] {Component.INFERENCE, Component.CONSOLE, Component.INGEST}) {
            assertFalse(c.environment(reader).containsValue(privateKey), reader + " cannot sign snapshots");
        }
        assertFalse(c.environment(Component.INGEST).containsKey("FMNIST_SNAPSHOTS_PUBLIC_KEYS"), "ingest reads no snapshot");
        String controlKey = c.environment(Component.INFERENCE).get("FMNIST_MODEL_CONTROL_SIGNING_KEY");
        assertEquals(SnapshotSigning.publicKeyOf(controlKey), c.environment(Component.CONSOLE)
                .get("FMNIST_MODEL_CONTROL_PUBLIC_KEYS"), "the console verifies inference's alerts");
        assertEquals(java.util.Set.of("FMNIST_SNAPSHOTS_PUBLIC_KEYS", "FMNIST_MODEL_CONTROL_PUBLIC_KEYS"),
                c.environment(Component.CONSOLE).keySet(), "the console holds no secret, only public keys");
    }

    @Test
    void anEmptyFileIsAClearError() throws IOException {
        Files.writeString(home.resolve(Credentials.ADMIN_TOKEN_FILE), "\n");
        CliException e = assertThrows(CliException.class, () -> Credentials.ensure(home));
        assertTrue(e.getMessage().contains("admin-token is empty"), e.getMessage());
    }
}
