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
        for (String f : new String[] {Credentials.ADMIN_TOKEN_FILE, Credentials.WRITER_TOKEN_FILE, Credentials.SNAPSHOT_KEY_FILE}) {
            Path p = home.resolve(f);
            assertTrue(Files.isRegularFile(p), f);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), f);
        }
        assertEquals(43, first.adminToken().length());
        assertNotEquals(first.adminToken(), first.writerToken());
        Credentials again = Credentials.ensure(home);
        assertEquals(first.adminToken(), again.adminToken());
        assertEquals(first.writerToken(), again.writerToken());
        // the key is a valid signing key
        SnapshotSigning.parse(Files.readString(home.resolve(Credentials.SNAPSHOT_KEY_FILE)).strip());
    }

    @Test
    void servicesGetTheirSecretsAsEnvironmentVariables() {
        Credentials c = Credentials.ensure(home);
        assertEquals(c.adminToken(), c.environment(Component.TRAINER).get("FMNIST_AUTH_ADMIN_TOKENS"));
        assertEquals(c.writerToken(), c.environment(Component.INGEST).get("FMNIST_AUTH_WRITER_TOKENS"));
        assertTrue(c.environment(Component.TRAINER).containsKey("FMNIST_SNAPSHOTS_SIGNING_KEYS"));
        assertTrue(c.environment(Component.INFERENCE).containsKey("FMNIST_SNAPSHOTS_SIGNING_KEYS"));
        assertFalse(c.environment(Component.INGEST).containsKey("FMNIST_SNAPSHOTS_SIGNING_KEYS"), "ingest signs nothing");
        assertTrue(c.environment(Component.CONSOLE).isEmpty(), "the console holds no credential");
    }

    @Test
    void anEmptyFileIsAClearError() throws IOException {
        Files.writeString(home.resolve(Credentials.ADMIN_TOKEN_FILE), "\n");
        CliException e = assertThrows(CliException.class, () -> Credentials.ensure(home));
        assertTrue(e.getMessage().contains("admin-token is empty"), e.getMessage());
    }
}
