package dev.fmnist.inference.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.Architecture;
import dev.fmnist.contracts.model.Layer;
import dev.fmnist.contracts.model.TensorShape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a snapshot's network as float32 tensors by name in standard formats, with its metadata
 * (family and layers, version, epoch, step, metrics, hyperparameters, plan, lineage, created-at), so
 * people who follow d2l can take the trained model to NumPy, PyTorch or an ONNX runtime. The tensors
 * keep the contract's layouts ({@link dev.fmnist.contracts.model.Layer}): a dense W is {@code in x out}
 * ({@code y = x W + b}), a convolution's weight {@code out x in x k x k}; the input is the 784 raw
 * pixels 0-255 of a Fashion-MNIST image divided by 255. For the seed's softmax that is
 * {@code p = softmax(x / 255 @ W + b)}.
 *
 * <ul>
 * <li>npz: a zip of one {@code <name>.npy} per tensor (little-endian float32, C order; {@code W.npy},
 * {@code conv1.weight.npy}) and {@code metadata.npy} (a 0-d unicode array holding the metadata as
 * JSON), readable by {@code numpy.load(path)} without pickle.</li>
 * <li>safetensors: the tensors by name (F32), in the architecture's order, the metadata as the string
 * map {@code __metadata__} (each value a string, as the format requires).</li>
 * <li>onnx: the whole network as a graph, see {@link OnnxExporter}.</li>
 * </ul>
 */
public final class WeightsExporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WeightsExporter() {
    }

    public static byte[] export(WeightSnapshot s, ExportFormat format) {
        return switch (format) {
            case NPZ -> npz(s);
            case SAFETENSORS -> safetensors(s);
            case ONNX -> OnnxExporter.export(s);
        };
    }

    /** The metadata every format carries, as strings (safetensors allows nothing else). */
    static Map<String, String> metadata(WeightSnapshot s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "fmnist-" + s.network().family().id());
        m.put("family", s.network().family().id());
        m.put("model", s.modelName());
        m.put("version", Long.toString(s.version()));
        m.put("epoch", Integer.toString(s.epoch()));
        m.put("step", Long.toString(s.step()));
        m.put("created_at", s.createdAt().toString());
        m.put("train_loss", Double.toString(s.metrics().trainLoss()));
        m.put("train_accuracy", Double.toString(s.metrics().trainAccuracy()));
        m.put("test_accuracy", Double.toString(s.metrics().testAccuracy()));
        m.put("learning_rate", Double.toString(s.hyperparameters().learningRate()));
        m.put("batch_size", Integer.toString(s.hyperparameters().batchSize()));
        m.put("seed", Long.toString(s.hyperparameters().seed()));
        m.put("target_epochs", Integer.toString(s.plan().targetEpochs()));
        StringBuilder lineage = new StringBuilder();
        for (WeightSnapshot.SourceOffset o : s.lineage()) {
            if (!lineage.isEmpty()) {
                lineage.append(',');
            }
            lineage.append(o.topic()).append('-').append(o.partition()).append('@').append(o.offset());
        }
        m.put("lineage", lineage.toString());
        m.put("input", "784 raw pixels 0-255, row-major 28x28, divided by 255");
        m.put("layers", layers(s.network().architecture()));
        m.put("output", "softmax over the 10 Fashion-MNIST classes of the last layer's values");
        return m;
    }

    // ---- npz

    static byte[] npz(WeightSnapshot s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(40_000);
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            // STORED: numpy reads both, and float weights hardly compress
            zip.setMethod(ZipOutputStream.STORED);
            for (TensorShape t : s.network().shapes()) {
                put(zip, t.name() + ".npy", npy("<f4", npyShape(t.dims()), floats(s.network().tensor(t.name()))));
            }
            String json = JSON.writeValueAsString(metadata(s));
            put(zip, "metadata.npy", npy("<U" + json.codePointCount(0, json.length()), "()", utf32le(json)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** An .npy file, format 1.0: magic, version, header length, header padded so the data starts at a multiple of 64. */
    static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int prefix = 6 + 2 + 2;
        int total = prefix + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(prefix + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        buf.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return buf.array();
    }

    private static String npyShape(int[] dims) {
        StringBuilder sb = new StringBuilder("(");
        for (int d : dims) {
            sb.append(d).append(dims.length == 1 ? ",)" : ", ");
        }
        return dims.length == 1 ? sb.toString() : sb.substring(0, sb.length() - 2) + ")";
    }

    /** The layers in one line: "dense W 784x10" or "conv conv1.weight 1->6 k5 p2, relu, maxpool 2, ...". */
    private static String layers(Architecture a) {
        StringBuilder sb = new StringBuilder();
        for (Layer l : a.layers()) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            if (l instanceof Layer.Dense d) {
                sb.append("dense ").append(d.weight()).append(' ').append(d.in()).append('x').append(d.out());
            } else if (l instanceof Layer.Conv c) {
                sb.append("conv ").append(c.weight()).append(' ').append(c.inChannels()).append("->")
                        .append(c.outChannels()).append(" k").append(c.kernel()).append(" p").append(c.padding());
            } else if (l instanceof Layer.MaxPool p) {
                sb.append("maxpool ").append(p.size());
            } else {
                sb.append(l == Layer.Relu.INSTANCE ? "relu" : "flatten");
            }
        }
        return sb.toString();
    }

    private static byte[] floats(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    private static byte[] utf32le(String s) {
        int[] cps = s.codePoints().toArray();
        ByteBuffer buf = ByteBuffer.allocate(4 * cps.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int cp : cps) {
            buf.putInt(cp);
        }
        return buf.array();
    }

    // ---- safetensors

    static byte[] safetensors(WeightSnapshot s) {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata(s).forEach(meta::put);
        long offset = 0;
        for (TensorShape t : s.network().shapes()) {
            tensor(header, t.name(), t.dims(), offset, offset + 4L * t.size());
            offset += 4L * t.size();
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // the header is padded with spaces so the tensors start 8-byte aligned
        int headerLength = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + headerLength + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(headerLength).put(json);
        for (int i = json.length; i < headerLength; i++) {
            buf.put((byte) ' ');
        }
        s.network().tensors().values().forEach(v -> buf.put(floats(v)));
        return buf.array();
    }

    private static void tensor(ObjectNode header, String name, int[] shape, long begin, long end) {
        ObjectNode t = header.putObject(name);
        t.put("dtype", "F32");
        var dims = t.putArray("shape");
        for (int d : shape) {
            dims.add(d);
        }
        var offsets = t.putArray("data_offsets");
        offsets.add(begin);
        offsets.add(end);
    }
}
