package dev.fmnist.inference.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/** The byte layouts of the exports, read back by the formats' own rules (numpy reads them in the CI check). */
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

    @Test
    void formatsParseByName() {
        assertEquals(Optional.of(ExportFormat.NPZ), ExportFormat.parse("NPZ"));
        assertEquals(Optional.of(ExportFormat.SAFETENSORS), ExportFormat.parse("safetensors"));
        assertEquals(Optional.empty(), ExportFormat.parse("onnx"));
        assertEquals(Optional.empty(), ExportFormat.parse(null));
    }
}
