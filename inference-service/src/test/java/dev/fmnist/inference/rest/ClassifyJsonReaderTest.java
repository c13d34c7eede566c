package dev.fmnist.inference.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.Outcome;
import dev.fmnist.inference.support.TestConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class ClassifyJsonReaderTest {
    private final ClassifyJsonReader reader = new ClassifyJsonReader(new TestConfig(3));

    private static InputStream body(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String image(int value) {
        int[] px = new int[784];
        Arrays.fill(px, value);
        return Arrays.toString(px);
    }

    private ClassifyJsonReader.Invalid refused(String json) {
        return assertThrows(ClassifyJsonReader.Invalid.class, () -> reader.read(body(json)));
    }

    @Test
    void oneImageWithItsLabel() {
        var single = assertInstanceOf(ClassifyJson.Single.class,
                reader.read(body("{\"pixels\": " + image(255) + ", \"label\": \"Ankle boot\"}")));
        assertEquals(9, single.label());
        assertEquals((byte) 255, single.pixels()[783]);
        assertNull(assertInstanceOf(ClassifyJson.Single.class, reader.read(body("{\"pixels\": " + image(0) + "}"))).label());
    }

    @Test
    void anUnknownFieldIsRefusedByName() {
        ClassifyJsonReader.Invalid e = refused("{\"pixels\": " + image(255) + ", \"extra\": {\"a\": [1]}}");
        assertEquals(Outcome.BAD_REQUEST, e.outcome());
        assertTrue(e.getMessage().contains("unknown field 'extra'"), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: images, label, labels, pixels"), e.getMessage());
        assertTrue(refused("{\"imgs\": [" + image(1) + "]}").getMessage().contains("'imgs'"));
    }

    @Test
    void aBatchKeepsOrderAndLabels() {
        var batch = assertInstanceOf(ClassifyJson.Batch.class,
                reader.read(body("{\"labels\": [1, null], \"images\": [" + image(1) + "," + image(2) + "]}"))).batch();
        assertEquals(2, batch.count());
        assertEquals(2, batch.pixels()[784]);
        assertArrayEquals(new Integer[] {1, null}, batch.labels());
    }

    @Test
    void pixelsMustBeExactly784IntegersFrom0To255() {
        assertTrue(refused("{\"pixels\": [1, 2, 3]}").getMessage().contains("has 3 values, expected 784"));
        int[] px = new int[784];
        px[17] = 256;
        assertTrue(refused("{\"pixels\": " + Arrays.toString(px) + "}").getMessage().contains("\"pixels\"[17] = 256"));
        px[17] = -1;
        assertTrue(refused("{\"pixels\": " + Arrays.toString(px) + "}").getMessage().contains("[17]"));
        String floats = image(0).replaceFirst("0", "1.5");
        assertTrue(refused("{\"pixels\": " + floats + "}").getMessage().contains("[0] = 1.5"));
        String wraps = image(0).replaceFirst("0", "4294967296");
        assertTrue(refused("{\"pixels\": " + wraps + "}").getMessage().contains("[0]"));
        assertTrue(refused("{\"pixels\": " + image(0).replace("]", ", 0]") + "}").getMessage().contains("more than 784"));
        assertTrue(refused("{\"pixels\": \"abc\"}").getMessage().contains("must be an array"));
    }

    @Test
    void shapeErrorsAreClear() {
        assertTrue(refused("").getMessage().contains("empty body"));
        assertTrue(refused("[1,2,3]").getMessage().contains("JSON object"));
        assertTrue(refused("{\"pixels\": [1, 2,").getMessage().contains("malformed JSON"));
        assertTrue(refused("{}").getMessage().contains("exactly one of"));
        assertTrue(refused("{\"pixels\": " + image(0) + ", \"images\": [" + image(0) + "]}").getMessage()
                .contains("exactly one of"));
        assertTrue(refused("{\"pixels\": " + image(0) + "} {}").getMessage().contains("malformed JSON"));
        ClassifyJsonReader.Invalid empty = refused("{\"images\": []}");
        assertTrue(empty.getMessage().contains("images"));
        assertEquals(ContentKind.JSON_BATCH, empty.kind());
        assertTrue(refused("{\"pixels\": " + image(0) + ", \"label\": 10}").getMessage().contains("\"label\""));
        assertTrue(refused("{\"images\": [" + image(0) + "], \"labels\": [1, 2]}").getMessage()
                .contains("one label per image (1)"));
        assertTrue(refused("{\"images\": [" + image(0) + "], \"labels\": [1, 2, 3, 4]}").getMessage()
                .contains("(at most 3)"));
        assertTrue(refused("{\"images\": [" + image(0) + "], \"labels\": [[1]]}").getMessage()
                .contains("\"labels\"[0] must be 0-9 or a class name, got an array"));
        assertTrue(refused("{\"pixels\": " + image(0) + ", \"label\": \"Sneakers?\"}").getMessage().contains("label"));
    }

    @Test
    void aBatchOverTheLimitIsTooLargeBeforeTheRestIsRead() {
        // the fourth image is not even valid JSON: the limit (3) stops reading before it
        ClassifyJsonReader.Invalid e = refused("{\"images\": [" + image(0) + "," + image(0) + "," + image(0) + ",[x");
        assertEquals(Outcome.TOO_LARGE, e.outcome());
        assertEquals(ContentKind.JSON_BATCH, e.kind());
        assertTrue(e.getMessage().contains("limit of 3"));
    }

    @Test
    void deepNestingIsRefusedByTheStreamConstraints() {
        String deep = String.join("", Collections.nCopies(1000, "[")) + String.join("", Collections.nCopies(1000, "]"));
        // a valid body nests 3 deep (object, images, image): the fourth level is refused by the parser itself
        ClassifyJsonReader.Invalid e = refused("{\"images\": [" + deep + "]}");
        assertEquals(Outcome.BAD_REQUEST, e.outcome());
        assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
    }

    @Test
    void aBoundedStreamOverTheLimitIsTooLarge() {
        BodyLimit limit = new BodyLimit(new TestConfig(3) {
            @Override
            public long maxBodyBytes() {
                return 1000;
            }
        });
        ClassifyJsonReader.Invalid e = assertThrows(ClassifyJsonReader.Invalid.class,
                () -> reader.read(limit.bounded(body("{\"pixels\": " + image(100) + "}"))));
        assertEquals(Outcome.TOO_LARGE, e.outcome());
        assertTrue(e.getMessage().contains("limit of 1000"));
    }
}
