package dev.fmnist.inference.oip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InferRequestParserTest {
    private final InferRequestParser parser = new InferRequestParser(3);

    private static String pixels(int n, java.util.function.IntFunction<String> value) {
        return IntStream.range(0, n * 784).mapToObj(value).collect(Collectors.joining(","));
    }

    private InferRequest parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private OipException rejected(String json) {
        return assertThrows(OipException.class, () -> parse(json));
    }

    @Test
    void readsTheSpecsRequestShapeWithUint8() {
        // The spec's example request (id, parameters, inputs, outputs), with this model's tensor.
        InferRequest r = parse("{\"id\" : \"42\", \"parameters\": {\"anything\": [1, {\"x\": 2}]}, \"inputs\" : [ {"
                + "\"name\" : \"input0\", \"shape\" : [ 1, 784 ], \"datatype\" : \"UINT8\", \"parameters\": {},"
                + "\"data\" : [ " + pixels(1, i -> String.valueOf(i % 256)) + " ] } ],"
                + "\"outputs\" : [ { \"name\" : \"probabilities\" } ] }");
        assertEquals("42", r.id());
        assertEquals("input0", r.inputName());
        assertEquals(1, r.n());
        assertEquals(784, r.uint8().length);
        assertEquals((byte) 255, r.uint8()[255]);
        assertNull(r.fp32());
        assertEquals(List.of("probabilities"), r.outputs());
        assertTrue(r.wants("probabilities"));
        assertTrue(!r.wants("class"));
    }

    @Test
    void acceptsNestedDataFieldsInAnyOrderAndFp32() {
        String rows = "[" + pixels(1, i -> "0.5") + "],[" + pixels(1, i -> "1") + "]";
        InferRequest r = parse("{\"inputs\": [{\"data\": [" + rows + "], \"datatype\": \"FP32\", \"shape\": [2, 784], \"name\": \"x\"}]}");
        assertEquals(2, r.n());
        assertNull(r.uint8());
        assertEquals(127.5f, r.fp32()[0]);
        assertEquals(255f, r.fp32()[784]);
        assertNull(r.id());
        assertEquals(List.of(), r.outputs());
        assertTrue(r.wants("class"));
        // [N, 28, 28] and [784] are the same images
        InferRequest square = parse("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 28, 28], \"datatype\": \"UINT8\", \"data\": ["
                + pixels(1, i -> "7") + "]}]}");
        InferRequest flat = parse("{\"inputs\": [{\"name\": \"x\", \"shape\": [784], \"datatype\": \"UINT8\", \"data\": ["
                + pixels(1, i -> "7") + "]}]}");
        assertArrayEquals(square.uint8(), flat.uint8());
    }

    @Test
    void rejectsWhatTheModelCannotTake() {
        // the spec's own example input: a UINT32 [2, 2] tensor
        OipException specExample = rejected("{\"inputs\": [{\"name\": \"input0\", \"shape\": [2, 2], \"datatype\": \"UINT32\", \"data\": [1, 2, 3, 4]}]}");
        assertEquals(400, specExample.status());
        assertTrue(specExample.getMessage().contains("shape [2, 2]"), specExample.getMessage());
        String one = pixels(1, i -> "1");
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"UINT32\", \"data\": [" + one + "]}]}")
                .getMessage().contains("datatype UINT32 is not supported"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 784], \"datatype\": \"UINT8\", \"data\": [" + one + "]}]}")
                .getMessage().contains("holds 1568 values, \"data\" has 784"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"UINT8\", \"data\": [" + one.replaceFirst("1", "256") + "]}]}")
                .getMessage().contains("integers 0-255; element 0 is 256"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"UINT8\", \"data\": [" + one.replaceFirst("1", "1.5") + "]}]}")
                .getMessage().contains("element 0 is 1.5"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"FP32\", \"data\": [" + one.replaceFirst("1", "2") + "]}]}")
                .getMessage().contains("[0, 1]"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"UINT8\", \"data\": [\"a\"]}]}")
                .getMessage().contains("numbers only"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [0, 784], \"datatype\": \"UINT8\", \"data\": []}]}")
                .getMessage().contains("at least 1"));
        assertTrue(rejected("{\"inputs\": []}").getMessage().contains("\"inputs\" is required"));
        assertTrue(rejected("{}").getMessage().contains("\"inputs\" is required"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\"}]}").getMessage().contains("needs \"name\", \"shape\""));
        String input = "{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"UINT8\", \"data\": [" + one + "]}";
        assertTrue(rejected("{\"inputs\": [" + input + "," + input + "]}").getMessage().contains("exactly one input"));
        assertTrue(rejected("{\"inputs\": [" + input + "], \"outputs\": [{\"name\": \"logits\"}]}").getMessage().contains("unknown output \"logits\""));
    }

    @Test
    void refusesAnUnknownFieldByNameAtAnyLevel() {
        String one = pixels(1, i -> "1");
        OipException top = rejected("{\"input\": []}");
        assertEquals(400, top.status());
        assertTrue(top.getMessage().contains("unknown field 'input' (allowed: id, inputs, outputs"), top.getMessage());
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"UINT8\", \"dtype\": \"u8\", \"data\": ["
                + one + "]}]}").getMessage().contains("unknown field 'inputs[0].dtype'"));
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 784], \"datatype\": \"UINT8\", \"data\": [" + one
                + "]}], \"outputs\": [{\"name\": \"class\", \"shape\": [1]}]}").getMessage().contains("'outputs[0].shape'"));
    }

    @Test
    void shapesAreWholeNumbersAndAtMost8Dimensions() {
        String one = pixels(1, i -> "1");
        assertEquals(400, rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1.5, 784], \"datatype\": \"UINT8\", \"data\": ["
                + one + "]}]}").status());
        assertTrue(rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1, 1, 1, 1, 1, 1, 1, 784], \"datatype\": \"UINT8\","
                + " \"data\": [" + one + "]}]}").getMessage().contains("at most 8"));
    }

    @Test
    void theWholeDocumentIsBoundedSoNoArrayOutgrowsAFullBatch() {
        // 3 images at most: far more shape values than any batch has tokens is refused while reading
        String flood = "{\"inputs\": [{\"name\": \"x\", \"shape\": [" + "1,".repeat(10_000) + "784]}]}";
        OipException e = rejected(flood);
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("Token count"), e.getMessage());
    }

    @Test
    void rejectsMalformedJsonAndTooManyImages() {
        assertEquals(400, rejected("{\"inputs\": [").status());
        assertEquals(400, rejected("[1]").status());
        assertEquals(400, rejected("{} {}").status());
        assertEquals(400, assertThrows(OipException.class, () -> parser.parse(new byte[0])).status());
        OipException big = rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [4, 784], \"datatype\": \"UINT8\", \"data\": ["
                + pixels(4, i -> "0") + "]}]}");
        assertEquals(413, big.status());
        OipException declared = rejected("{\"inputs\": [{\"name\": \"x\", \"shape\": [4, 784], \"datatype\": \"UINT8\", \"data\": [0]}]}");
        assertEquals(413, declared.status());
        // nesting beyond what any image needs
        assertEquals(400, rejected("{\"inputs\": [{\"data\": " + "[".repeat(40) + "]".repeat(40) + "}]}").status());
    }
}
