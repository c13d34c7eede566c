package dev.fmnist.contracts.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrent bombs and concurrent legal large images in a child JVM with a 160 MB heap and
 * -XX:+ExitOnOutOfMemoryError (as the service images run): with the decode budget every bomb is
 * refused as too large and the large images are decoded or refused as busy, and the JVM lives; the
 * same load without the budget, or the bombs handed to ImageIO, kills it.
 */
class DecodeUnderSmallHeapTest {
    private static final String HEAP = "-Xmx160m";

    private static Result run(String mode) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, HEAP, "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                DecodeStress.class.getName(), mode).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), mode + " finished");
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Result(int exit, String output) {
        int count(String name) {
            for (String part : output.lines().filter(l -> l.startsWith("ok=")).findFirst().orElseThrow().split(" ")) {
                if (part.startsWith(name + "=")) {
                    return Integer.parseInt(part.substring(name.length() + 1));
                }
            }
            throw new AssertionError(name + " not in " + output);
        }
    }

    @Test
    void withTheBudgetBombsAre413LargeImagesAreDecodedOr503AndTheJvmLives() throws Exception {
        Result r = run("budget");
        assertEquals(0, r.exit(), r.output());
        int images = DecodeStress.THREADS * DecodeStress.ROUNDS;
        assertEquals(images, r.count("tooLarge"), "every bomb refused from its header: " + r.output());
        assertEquals(images, r.count("ok") + r.count("busy"), r.output());
        assertTrue(r.count("ok") >= 1, r.output());
        assertEquals(0, r.count("bad"), r.output());
    }

    @Test
    void withoutTheBudgetTheSameHeapDies() throws Exception {
        for (String mode : List.of("unbounded", "imageio-bombs")) {
            Result r = run(mode);
            assertEquals(3, r.exit(), mode + " exits on OutOfMemoryError: " + r.output());
            assertTrue(r.output().contains("OutOfMemoryError"), r.output());
        }
    }
}
