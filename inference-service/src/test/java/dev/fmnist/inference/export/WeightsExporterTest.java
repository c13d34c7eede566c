package dev.fmnist.inference.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.contracts.model.TensorShape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The byte layouts of the exports for every family, read back by the formats' own rules (numpy reads them in the CI check). */
class WeightsExporterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static WeightSnapshot snapshot() {
        Random r = new Random(5);
        float[] w = new float[784 * 10];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.01f;
        }
        float[] b = new float[10];
        for (int i = 0; i < 10; i++) {
            b[i] = i / 100f - 0.05f;
        }
        return new WeightSnapshot("fmnist-softmax", 10, 10, 2350, w, b, new WeightSnapshot.Hyperparameters(0.1, 256, 0),
                new WeightSnapshot.Metrics(0.4472, 0.848, 0.8273), List.of(new WeightSnapshot.SourceOffset(Topics.TRAIN, 0, 235)),
                Instant.ofEpochMilli(1_767_225_600_123L), new WeightSnapshot.Plan(10));
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    /** Parses an .npy 1.0 file: returns the header dict text and positions the buffer at the data. */
    private static String npyHeader(ByteBuffer buf) {
        assertEquals((byte) 0x93, buf.get());
        byte[] magic = new byte[5];
        buf.get(magic);
        assertEquals("NUMPY", new String(magic, StandardCharsets.US_ASCII));
        assertEquals(1, buf.get());
        assertEquals(0, buf.get());
        int len = Short.toUnsignedInt(buf.order(ByteOrder.LITTLE_ENDIAN).getShort());
        assertEquals(0, (10 + len) % 64, "data 64-byte aligned");
        byte[] header = new byte[len];
        buf.get(header);
        String text = new String(header, StandardCharsets.US_ASCII);
        assertTrue(text.endsWith("\n"));
        return text.strip();
    }

    @Test
    void npzHoldsWAndBAsLittleEndianFloat32AndTheMetadataAsJson() throws IOException {
        WeightSnapshot s = snapshot();
        Map<String, byte[]> files = unzip(WeightsExporter.export(s, ExportFormat.NPZ));
        assertEquals(Map.of("W.npy", 1, "b.npy", 1, "metadata.npy", 1).keySet(), files.keySet());

        ByteBuffer w = ByteBuffer.wrap(files.get("W.npy"));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (784, 10), }", npyHeader(w));
        float[] back = new float[784 * 10];
        w.asFloatBuffer().get(back);
        assertArrayEquals(s.network().tensor("W"), back);
        assertEquals(784 * 10 * 4, w.remaining());

        ByteBuffer b = ByteBuffer.wrap(files.get("b.npy"));
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", npyHeader(b));
        float[] bias = new float[10];
        b.asFloatBuffer().get(bias);
        assertArrayEquals(s.network().tensor("b"), bias);

        ByteBuffer m = ByteBuffer.wrap(files.get("metadata.npy"));
        String header = npyHeader(m);
        assertTrue(header.startsWith("{'descr': '<U"), header);
        int chars = Integer.parseInt(header.substring(header.indexOf("<U") + 2, header.indexOf("',")));
        assertEquals(4 * chars, m.remaining());
        StringBuilder text = new StringBuilder();
        while (m.hasRemaining()) {
            text.appendCodePoint(m.getInt());
        }
        JsonNode meta = JSON.readTree(text.toString());
        assertEquals("10", meta.get("version").asText());
        assertEquals("0.8273", meta.get("test_accuracy").asText());
        assertEquals("train-0@235".replace("train", Topics.TRAIN), meta.get("lineage").asText());
        assertEquals("10", meta.get("target_epochs").asText());
    }

    @Test
    void safetensorsFollowsTheFormat() throws IOException {
        WeightSnapshot s = snapshot();
        ByteBuffer buf = ByteBuffer.wrap(WeightsExporter.export(s, ExportFormat.SAFETENSORS)).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        assertEquals(0, n % 8, "tensors 8-byte aligned");
        byte[] header = new byte[(int) n];
        buf.get(header);
        JsonNode h = JSON.readTree(new String(header, StandardCharsets.UTF_8).stripTrailing());
        assertEquals("F32", h.get("W").get("dtype").asText());
        assertEquals("[784,10]", h.get("W").get("shape").toString());
        assertEquals("[0,31360]", h.get("W").get("data_offsets").toString());
        assertEquals("[10]", h.get("b").get("shape").toString());
        assertEquals("[31360,31400]", h.get("b").get("data_offsets").toString());
        h.get("__metadata__").fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(), e.getKey()));
        assertEquals("fmnist-softmax", h.get("__metadata__").get("model").asText());
        assertEquals(31400, buf.remaining(), "the byte buffer is exactly the tensors");
        float[] back = new float[784 * 10];
        buf.asFloatBuffer().get(back);
        assertArrayEquals(s.network().tensor("W"), back);
        buf.position(buf.position() + 31360);
        float[] bias = new float[10];
        buf.asFloatBuffer().get(bias);
        assertArrayEquals(s.network().tensor("b"), bias);
    }

    /** The metadata's one-line description of each family's layers, as a reader sees it. */
    private static String expectedLayers(ModelFamily family) {
        return switch (family) {
            case SOFTMAX -> "dense W 784x10";
            case MLP -> "dense W1 784x256, relu, dense W2 256x10";
            case CNN -> "conv conv1.weight 1->6 k5 p2, relu, maxpool 2, conv conv2.weight 6->16 k5 p0, relu, maxpool 2,"
                    + " flatten, dense fc1.weight 400x120, relu, dense fc2.weight 120x84, relu, dense fc3.weight 84x10";
        };
    }

    private static String npyShape(int[] dims) {
        if (dims.length == 1) {
            return "(" + dims[0] + ",)";
        }
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void npzHoldsEveryNamedTensorOfEveryFamily(ModelFamily family) throws IOException {
        Network network = ExportTestModels.random(family, 11);
        Map<String, byte[]> files = unzip(WeightsExporter.export(ExportTestModels.snapshot(network, 4), ExportFormat.NPZ));
        Set<String> expected = new HashSet<>();
        network.shapes().forEach(t -> expected.add(t.name() + ".npy"));
        expected.add("metadata.npy");
        assertEquals(expected, files.keySet());
        for (TensorShape t : network.shapes()) {
            ByteBuffer npy = ByteBuffer.wrap(files.get(t.name() + ".npy"));
            assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': " + npyShape(t.dims()) + ", }", npyHeader(npy),
                    t.name());
            assertEquals(4 * t.size(), npy.remaining(), t.name());
            float[] back = new float[t.size()];
            npy.asFloatBuffer().get(back);
            assertArrayEquals(network.tensor(t.name()), back, t.name());
        }
        ByteBuffer m = ByteBuffer.wrap(files.get("metadata.npy"));
        npyHeader(m);
        StringBuilder text = new StringBuilder();
        while (m.hasRemaining()) {
            text.appendCodePoint(m.getInt());
        }
        JsonNode meta = JSON.readTree(text.toString());
        assertEquals(family.id(), meta.get("family").asText());
        assertEquals(family.modelName(), meta.get("model").asText());
        assertEquals(expectedLayers(family), meta.get("layers").asText());
        assertEquals("4", meta.get("version").asText());
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void safetensorsHeaderGivesEveryTensorsShapeAndOffsetsInStorageOrder(ModelFamily family) throws IOException {
        Network network = ExportTestModels.random(family, 12);
        ByteBuffer buf = ByteBuffer.wrap(WeightsExporter.export(ExportTestModels.snapshot(network, 4), ExportFormat.SAFETENSORS))
                .order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        assertEquals(0, n % 8, "tensors 8-byte aligned");
        byte[] header = new byte[(int) n];
        buf.get(header);
        JsonNode h = JSON.readTree(new String(header, StandardCharsets.UTF_8).stripTrailing());
        List<String> names = new ArrayList<>();
        h.fieldNames().forEachRemaining(names::add);
        List<String> expected = new ArrayList<>(List.of("__metadata__"));
        network.shapes().forEach(t -> expected.add(t.name()));
        assertEquals(expected, names, "the metadata, then the tensors in the architecture's order");
        int dataStart = buf.position();
        long offset = 0;
        for (TensorShape t : network.shapes()) {
            JsonNode e = h.get(t.name());
            assertEquals("F32", e.get("dtype").asText(), t.name());
            assertEquals(Arrays.stream(t.dims()).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]")),
                    e.get("shape").toString(), t.name());
            assertEquals("[" + offset + "," + (offset + 4L * t.size()) + "]", e.get("data_offsets").toString(), t.name());
            float[] back = new float[t.size()];
            buf.position(dataStart + (int) offset);
            buf.asFloatBuffer().get(back);
            assertArrayEquals(network.tensor(t.name()), back, t.name());
            offset += 4L * t.size();
        }
        assertEquals(offset, buf.limit() - dataStart, "the byte buffer is exactly the tensors, contiguous");
        assertEquals(4L * network.architecture().parameterCount(), offset);
        JsonNode meta = h.get("__metadata__");
        meta.fields().forEachRemaining(e -> assertTrue(e.getValue().isTextual(), e.getKey()));
        assertEquals(family.id(), meta.get("family").asText());
        assertEquals(expectedLayers(family), meta.get("layers").asText());
    }

    @Test
    void formatsParseByName() {
        assertEquals(Optional.of(ExportFormat.NPZ), ExportFormat.parse("NPZ"));
        assertEquals(Optional.of(ExportFormat.SAFETENSORS), ExportFormat.parse("safetensors"));
        assertEquals(Optional.of(ExportFormat.ONNX), ExportFormat.parse(" Onnx "));
        assertEquals(Optional.empty(), ExportFormat.parse("pickle"));
        assertEquals("npz, safetensors, onnx", ExportFormat.names());
        assertEquals(Optional.empty(), ExportFormat.parse(null));
    }
}
