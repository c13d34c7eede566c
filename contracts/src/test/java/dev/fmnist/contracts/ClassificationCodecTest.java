package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClassificationCodecTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 1, 2, (byte) 0xFF};

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** 784 values i % 256, with value at index `at` replaced by `bad` when bad != null. */
    private static String pixelArray(int count, Integer at, String bad) {
        return IntStream.range(0, count)
                .mapToObj(i -> at != null && i == at ? bad : Integer.toString(i % 256))
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static String rejected(String text) {
        return assertThrows(WireFormatException.class, () -> ClassificationCodec.decodeRequest(json(text))).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + message + "' should contain '" + part + "'");
        }
    }

    @Test
    void decodesARequestWithPixels() {
        ClassificationRequest r = ClassificationCodec.decodeRequest(
                json("{\"id\":\"r-1\",\"pixels\":" + pixelArray(784, null, null) + ",\"label\":9}"));
        assertEquals("r-1", r.id());
        assertEquals(784, r.pixels().length);
        assertEquals(255, r.pixels()[255]);
        assertEquals(0, r.pixels()[256]);
        assertEquals(15, r.pixels()[783]);
        assertNull(r.image());
        assertEquals(9, r.label());
        assertFalse(r.invert());
    }

    @Test
    void decodesARequestWithABase64ImageAndInvert() {
        String b64 = Base64.getEncoder().encodeToString(PNG);
        ClassificationRequest r = ClassificationCodec.decodeRequest(
                json("{\"id\":\"r-2\",\"image\":\"" + b64 + "\",\"invert\":true}"));
        assertArrayEquals(PNG, r.image());
        assertNull(r.pixels());
        assertTrue(r.invert());
        assertNull(r.label());
        assertFalse(ClassificationCodec.decodeRequest(
                json("{\"id\":\"r-3\",\"image\":\"" + b64 + "\",\"invert\":false,\"label\":null}")).invert());
        assertFalse(ClassificationCodec.decodeRequest(json("{\"id\":\"r-3\",\"image\":\"" + b64 + "\"}")).invert());
    }

    @Test
    void labelIsOptionalAndUnknownFieldsAreIgnored() {
        ClassificationRequest r = ClassificationCodec.decodeRequest(
                json("{\"id\":\"x\",\"pixels\":" + pixelArray(784, null, null) + ",\"note\":\"hello\"}"));
        assertNull(r.label());
        assertEquals(0, ClassificationCodec.decodeRequest(
                json("{\"id\":\"x\",\"label\":0,\"pixels\":" + pixelArray(784, null, null) + "}")).label());
    }

    @Test
    void aRequestMayNameItsModelByFamilyIdOrModelNameAndReadsAsTheModelName() {
        String pixels = pixelArray(784, null, null);
        for (String[] c : new String[][] {{"cnn", "fmnist-cnn"}, {"fmnist-cnn", "fmnist-cnn"}, {"MLP", "fmnist-mlp"},
                {" softmax ", "fmnist-softmax"}}) {
            assertEquals(c[1], ClassificationCodec.decodeRequest(
                    json("{\"id\":\"m\",\"pixels\":" + pixels + ",\"model\":\"" + c[0] + "\"}")).model());
        }
        assertNull(ClassificationCodec.decodeRequest(json("{\"id\":\"m\",\"pixels\":" + pixels + "}")).model(),
                "absent: the service's default model");
        assertNull(ClassificationCodec.decodeRequest(
                json("{\"id\":\"m\",\"pixels\":" + pixels + ",\"model\":null}")).model());
    }

    @Test
    void rejectsAnUnknownOrMistypedModelNamingTheFamilies() {
        String pixels = pixelArray(784, null, null);
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixels + ",\"model\":\"resnet\"}"),
                "request: \"model\" 'resnet' is unknown", "(softmax, mlp, cnn)", "fmnist-<family>");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixels + ",\"model\":\"fmnist-\"}"), "'fmnist-' is unknown");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixels + ",\"model\":\"\"}"), "\"model\" '' is unknown");
        for (String mistyped : new String[] {"7", "true", "[\"cnn\"]", "{\"name\":\"cnn\"}", "2.5"}) {
            assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixels + ",\"model\":" + mistyped + "}"),
                    "\"model\" must name a model family (softmax, mlp, cnn)");
        }
        String huge = rejected("{\"id\":\"a\",\"pixels\":" + pixels + ",\"model\":\"" + "x".repeat(100_000) + "\"}");
        assertContains(huge, "\"model\" of 100000 characters is unknown");
        assertTrue(huge.length() < 200, "a refusal does not quote a long value: " + huge.length());
    }

    @Test
    void requestsRoundTrip() {
        int[] pixels = IntStream.range(0, 784).map(i -> (i * 7) % 256).toArray();
        var withPixels = new ClassificationRequest("a", pixels, null, false, 3);
        var back = ClassificationCodec.decodeRequest(ClassificationCodec.encodeRequest(withPixels));
        assertEquals("a", back.id());
        assertArrayEquals(pixels, back.pixels());
        assertEquals(3, back.label());
        var withImage = new ClassificationRequest("b", null, PNG, true, null);
        var back2 = ClassificationCodec.decodeRequest(ClassificationCodec.encodeRequest(withImage));
        assertArrayEquals(PNG, back2.image());
        assertTrue(back2.invert());
        assertNull(back2.label());
        assertNull(back2.model());
        var forCnn = new ClassificationRequest("c", pixels, null, false, null, "fmnist-cnn");
        byte[] encoded = ClassificationCodec.encodeRequest(forCnn);
        assertEquals("fmnist-cnn", ClassificationCodec.decodeRequest(encoded).model());
        assertTrue(new String(encoded, StandardCharsets.UTF_8).endsWith(",\"model\":\"fmnist-cnn\"}"));
        assertFalse(new String(ClassificationCodec.encodeRequest(withPixels), StandardCharsets.UTF_8).contains("model"),
                "a request for the default model names none");
    }

    @Test
    void rejectsWhatIsNotAJsonObject() {
        assertContains(rejected("not json"), "request: not valid JSON");
        assertContains(rejected("{\"id\":\"a\""), "not valid JSON");
        assertContains(rejected(""), "expected a JSON object");
        assertContains(rejected("[1,2,3]"), "expected a JSON object");
        assertContains(rejected("\"r-1\""), "expected a JSON object");
        assertContains(rejected("42"), "expected a JSON object");
        assertContains(rejected("null"), "expected a JSON object");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, null, null) + "} trailing"), "not valid JSON");
        assertContains(assertThrows(WireFormatException.class, () -> ClassificationCodec.decodeRequest(null)).getMessage(),
                "null");
        assertContains(assertThrows(WireFormatException.class,
                () -> ClassificationCodec.decodeRequest(new byte[] {(byte) 0xFF, (byte) 0xFE, 0})).getMessage(), "request:");
    }

    @Test
    void rejectsMissingOrBadId() {
        String pixels = pixelArray(784, null, null);
        assertContains(rejected("{\"pixels\":" + pixels + "}"), "\"id\" must be a non-empty string");
        assertContains(rejected("{\"id\":\"\",\"pixels\":" + pixels + "}"), "\"id\" must be a non-empty string");
        assertContains(rejected("{\"id\":\"  \",\"pixels\":" + pixels + "}"), "\"id\"");
        assertContains(rejected("{\"id\":7,\"pixels\":" + pixels + "}"), "\"id\"");
        assertContains(rejected("{\"id\":\"" + "x".repeat(257) + "\",\"pixels\":" + pixels + "}"), "at most 256");
    }

    @Test
    void rejectsBothOrNeitherPixelsAndImage() {
        String both = "{\"id\":\"a\",\"pixels\":" + pixelArray(784, null, null) + ",\"image\":\"iVBORw==\"}";
        assertContains(rejected(both), "exactly one of \"pixels\"");
        assertContains(rejected("{\"id\":\"a\"}"), "exactly one of \"pixels\"");
    }

    @Test
    void rejectsBadPixels() {
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(783, null, null) + "}"), "has 783 values, expected 784");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(785, null, null) + "}"), "has 785 values");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, 17, "256") + "}"), "\"pixels\"[17] = 256 is not an integer 0-255");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, 0, "-1") + "}"), "[0] = -1 is not");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, 783, "1.5") + "}"), "[783] = 1.5 is not");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, 5, "\"12\"") + "}"), "[5] = \"12\" is not");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, 5, "null") + "}"), "[5] = null is not");
        // asInt() alone would wrap these to 0 and 1
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, 9, "4294967296") + "}"), "[9] = 4294967296 is not");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixelArray(784, 9, "18446744073709551617") + "}"), "[9] = 18446744073709551617");
        assertContains(rejected("{\"id\":\"a\",\"pixels\":\"AAAA\"}"), "must be an array of 784 integers");
    }

    @Test
    void refusesDeepNestingAndOverlongNumbersBeforeBindingThem() {
        assertContains(rejected("{\"id\":\"a\",\"pixels\":[[1]]}"), "request: not valid JSON", "nesting depth");
        assertContains(rejected("{\"id\":\"a\",\"note\":{\"x\":[1]}}"), "request: not valid JSON", "nesting depth");
        assertContains(rejected("{\"id\":\"a\",\"label\":" + "9".repeat(65) + "}"), "request: not valid JSON", "Number value length");
    }

    @Test
    void rejectsBadImage() {
        assertContains(rejected("{\"id\":\"a\",\"image\":\"not base64!\"}"), "\"image\" is not valid base64");
        assertContains(rejected("{\"id\":\"a\",\"image\":42}"), "\"image\" must be a base64 string");
        assertContains(rejected("{\"id\":\"a\",\"image\":\"\"}"), "\"image\" is empty");
        assertContains(rejected("{\"id\":\"a\",\"image\":\"iVBORw==\",\"invert\":\"yes\"}"), "\"invert\" must be true or false");
    }

    @Test
    void rejectsBadLabel() {
        String pixels = pixelArray(784, null, null);
        for (String label : new String[] {"10", "-1", "2.5", "\"9\"", "4294967305"}) {
            assertContains(rejected("{\"id\":\"a\",\"pixels\":" + pixels + ",\"label\":" + label + "}"),
                    "\"label\" must be an integer 0-9");
        }
    }

    @Test
    void predictionsRoundTrip() {
        float[] probs = {0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f, 0.09f, 0.55f};
        Prediction p = new Prediction("r-1", 9, "Ankle boot", probs, 12, 3, null);
        byte[] encoded = ClassificationCodec.encodePrediction(p);
        Prediction back = ClassificationCodec.decodePrediction(encoded);
        assertEquals("r-1", back.id());
        assertEquals(9, back.classIndex());
        assertEquals("Ankle boot", back.label());
        assertArrayEquals(probs, back.probabilities());
        assertEquals(12, back.modelVersion());
        assertEquals(3, back.epoch());
        String text = new String(encoded, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"id\":\"r-1\",\"classIndex\":9,\"label\":\"Ankle boot\",\"probabilities\":[0.01,"), text);
        assertTrue(text.endsWith("\"modelVersion\":12,\"epoch\":3}"), text);

        float[] nonFinite = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 0, 0, 0, 0, 0, 1};
        assertArrayEquals(nonFinite, ClassificationCodec.decodePrediction(ClassificationCodec.encodePrediction(
                new Prediction("r-2", 9, "Ankle boot", nonFinite, 12, 3, null))).probabilities());

        Prediction rest = new Prediction(null, 0, "T-shirt/top", probs, 1, 0, null);
        assertNull(ClassificationCodec.decodePrediction(ClassificationCodec.encodePrediction(rest)).id());
        assertFalse(new String(ClassificationCodec.encodePrediction(rest), StandardCharsets.UTF_8).contains("\"id\""));

        byte[] byCnn = ClassificationCodec.encodePrediction(new Prediction("r-3", 9, "Ankle boot", probs, 4, 2, "fmnist-cnn"));
        assertTrue(new String(byCnn, StandardCharsets.UTF_8).endsWith("\"modelVersion\":4,\"epoch\":2,\"model\":\"fmnist-cnn\"}"));
        Prediction backByCnn = ClassificationCodec.decodePrediction(byCnn);
        assertEquals("fmnist-cnn", backByCnn.model());
        assertEquals(4, backByCnn.modelVersion());
        assertNull(ClassificationCodec.decodePrediction(encoded).model(), "a prediction written before it named its model");
    }

    @Test
    void rejectsBadPredictions() {
        String probs = "[0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1]";
        String ok = "{\"classIndex\":1,\"label\":\"Trouser\",\"probabilities\":" + probs + ",\"modelVersion\":2,\"epoch\":0}";
        assertEquals(1, ClassificationCodec.decodePrediction(json(ok)).classIndex());
        String[][] cases = {
                {null, "no value"},
                {"nope", "not valid JSON"},
                {"[1]", "expected a JSON object"},
                {ok.replace(probs, "[0.1]"), "\"probabilities\" must hold 10 numbers"},
                {ok.replace("[0.1,", "[\"x\","), "probabilities[0] = \"x\" is not a number"},
                {ok.replace("\"classIndex\":1", "\"classIndex\":10"), "\"classIndex\" must be an integer 0-9"},
                {ok.replace("\"classIndex\":1,", ""), "\"classIndex\""},
                {ok.replace("\"label\":\"Trouser\"", "\"label\":1"), "\"label\" must be a string"},
                {ok.replace("\"modelVersion\":2,", ""), "\"modelVersion\" and \"epoch\" must be integers"},
                {ok.replace("\"epoch\":0", "\"epoch\":\"0\""), "\"modelVersion\" and \"epoch\" must be integers"},
                {ok.replace("\"classIndex\":1", "\"classIndex\":1.5"), "\"classIndex\" must be an integer 0-9"},
                {ok.replace("{", "{\"id\":7,"), "\"id\" must be a string when present"},
                {ok.replace("{", "{\"model\":3,"), "\"model\" must be a string when present"},
        };
        for (String[] c : cases) {
            byte[] data = c[0] == null ? null : json(c[0]);
            assertContains(assertThrows(WireFormatException.class, () -> ClassificationCodec.decodePrediction(data))
                    .getMessage(), "prediction", c[1]);
        }
    }
}
