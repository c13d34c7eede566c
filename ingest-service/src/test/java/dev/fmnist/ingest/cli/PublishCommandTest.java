package dev.fmnist.ingest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.ingest.testing.Images;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a broker: usage, bad folders, --dry-run. Publishing is in IngestIT. */
class PublishCommandTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void missingDirIsAUsageError() {
        assertEquals(2, run());
        assertTrue(err().contains("DIR is missing") && err().contains("usage:"), err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(2, run(tmp.toString(), "--frobnicate"));
        assertTrue(err().contains("unexpected argument --frobnicate"), err());
    }

    @Test
    void aFolderWithBadImagesPublishesNothingAndListsThem() throws IOException {
        Files.createDirectories(tmp.resolve("Sneaker"));
        Files.createDirectories(tmp.resolve("Cat"));
        Files.write(tmp.resolve("Sneaker/a.png"), Images.png28(1));
        Files.write(tmp.resolve("Cat/b.png"), Images.png28(2));
        // an unreachable broker: the command must fail on the folder before it tries Kafka
        assertEquals(1, run(tmp.toString(), "--bootstrap", "localhost:1"));
        assertTrue(err().contains("1 of 2 entries") && err().contains("Cat/b.png: unknown label 'Cat'"), err());
        assertEquals("", out());
    }

    @Test
    void notADirectoryFails() {
        assertEquals(1, run(tmp.resolve("nope").toString()));
        assertTrue(err().contains("is not a directory"), err());
    }

    @Test
    void dryRunChecksAndListsWithoutKafka() throws IOException {
        Files.createDirectories(tmp.resolve("ankle_boot"));
        Files.write(tmp.resolve("ankle_boot/a.png"), Images.png28(1));
        Files.write(tmp.resolve("ankle_boot/b.jpg"), Images.photo(90, 60, "jpeg"));
        assertEquals(0, run(tmp.toString(), "--dry-run", "--invert"));
        assertTrue(out().contains("ankle_boot/a.png -> Ankle boot (9) user-"), out());
        assertTrue(out().contains("checked 2 images"), out());
    }

    private int run(String... args) {
        return PublishCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
