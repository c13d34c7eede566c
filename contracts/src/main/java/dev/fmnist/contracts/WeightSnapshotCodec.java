package dev.fmnist.contracts;

import java.nio.ByteBuffer;
import java.time.Instant;
import dev.fmnist.contracts.model.Architecture;
import dev.fmnist.contracts.model.Layer;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one codec of {@link WeightSnapshot}. Layout, format version 3, big-endian:
 *
 * <pre>
 * offset size  field
 *  0      4    magic "FMWS" (0x464D5753)
 *  4      1    format version (3)
 *  5      3    reserved, zero
 *  8      8    model version (int64, 1 .. 2^53 - 1)
 * 16      4    epoch (int32, >= 0)
 * 20      8    step (int64, >= 0)
 * 28      8    created-at, epoch milliseconds (int64)
 * 36      4    inputs (int32, must be 784)
 * 40      4    outputs (int32, must be 10)
 * 44      8    learning rate (float64)
 * 52      4    batch size (int32)
 * 56      8    seed (int64)
 * 64      4    plan: target epochs of the run (int32, >= 0; 0 = none)
 * 68      8    train loss (float64; NaN = not measured)
 * 76      8    train accuracy (float64 in [0,1]; NaN = not measured)
 * 84      8    test accuracy (float64 in [0,1]; NaN = not measured)
 * 92      2+a  model name: uint16 length a, UTF-8
 *  .      2    lineage entries m (uint16), then m times:
 *                uint16 length + UTF-8 topic, int32 partition, int64 next offset
 *  .      2+f  model family ("softmax", "mlp", "cnn"): uint16 length f, UTF-8
 *  .      2+i  input layout (uint16 length, UTF-8; must be "uint8 1x28x28 row-major, scaled by 1/255")
 *  .      1    layer count L (1 .. 32), then L layers, each a kind byte and its fields:
 *                1 dense:    weight name, bias name (uint16 length + UTF-8 each), in, out (int32)
 *                2 conv:     weight name, bias name, in channels, out channels, kernel, padding (int32)
 *                3 relu, 5 flatten: nothing
 *                4 max pool: size (int32)
 *  .      4*P  the parameter tensors in layer order (weight, then bias), float32 row-major, each of the
 *              shape its layer declares: dense W in x out (y = x W + b), conv weight out x in x k x k
 *  .      1    signature length s (0 = unsigned, or 64)
 *  .      s    Ed25519 signature of every byte before the signature length
 *  .      4    CRC32C of every byte before it
 * </pre>
 *
 * A 32-byte signature is an HMAC-SHA256 of the signing scheme before Ed25519: it decodes, and a
 * reader with keys refuses it with that reason.
 *
 * <p>Version 2 (before model families: W 784x10 and b as float32 right after the lineage) is still
 * read, as a softmax snapshot. Version 1 (written before plans and signatures: no target epochs, no
 * signature section, the metrics at offset 64) is still read, as an unsigned softmax snapshot without
 * a plan.
 *
 * <p>Decoding checks magic, then version, then checksum, then (when given keys) the signature, and
 * rejects inputs other than 784 and outputs other than 10, an architecture whose layers do not fit
 * each other, exceed the bounds of {@link Architecture} or are not its family's, any NaN or infinite weight, a blank model name, a version
 * outside 1 .. {@link #MAX_VERSION}, negative epoch or step, and accuracies outside [0, 1]. The
 * encoder refuses records over {@link #MAX_RECORD_BYTES} (a long lineage).
 */
public final class WeightSnapshotCodec {
    public static final int MAGIC = 0x464D5753;
    public static final int FORMAT_VERSION = 3;
    /** Largest encoded snapshot: under Kafka's 1 MiB default with room for key and overhead. */
    public static final int MAX_RECORD_BYTES = 1_000_000;
    /**
     * Largest model version: exact in a float64 (JSON readers) and far from overflow, so a trainer's
     * {@code version + 1} never wraps and an absurd version is a decoding error, not an order.
     */
    public static final long MAX_VERSION = (1L << 53) - 1;
    private static final String FORMAT = "weight snapshot";
    private static final int V1_FIXED_BYTES = 88 + 2 + 2 + Wire.CRC_BYTES;
    private static final int FIXED_BYTES = 92 + 2 + 2 + 1 + Wire.CRC_BYTES;
    /** W and b of a version 1 or 2 record. */
    private static final int SOFTMAX_PARAM_BYTES = 4 * ModelFamily.SOFTMAX.architecture().parameterCount();
    private static final byte DENSE = 1;
    private static final byte CONV = 2;
    private static final byte RELU = 3;
    private static final byte MAX_POOL = 4;
    private static final byte FLATTEN = 5;

    private WeightSnapshotCodec() {
    }

    /** An unsigned record (tools and tests; a reader with keys rejects it). */
    public static byte[] encode(WeightSnapshot s) {
        return encode(s, null);
    }

    /** A record signed with {@code signing}'s first key, or unsigned when it is null. */
    public static byte[] encode(WeightSnapshot s, SnapshotSigning signing) {
        validate(s, IllegalArgumentException::new);
        byte[] name = Wire.utf8(s.modelName(), "modelName");
        List<byte[]> topics = new ArrayList<>();
        long lineageBytes = 0;
        for (WeightSnapshot.SourceOffset o : s.lineage()) {
            byte[] t = Wire.utf8(o.topic(), "lineage topic");
            topics.add(t);
            lineageBytes += 2 + t.length + 4 + 8;
        }
        int macBytes = signing == null ? 0 : SnapshotSigning.SIGNATURE_BYTES;
        byte[] descriptor = descriptor(s.network().architecture());
        int paramBytes = 4 * s.network().architecture().parameterCount();
        long size = (long) FIXED_BYTES + name.length + lineageBytes + descriptor.length + paramBytes + macBytes;
        if (size > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(FORMAT + ": " + size + " bytes exceed the " + MAX_RECORD_BYTES
                    + "-byte limit of one record (" + s.lineage().size() + " lineage entries, "
                    + s.network().architecture().parameterCount() + " parameters)");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        var hp = s.hyperparameters();
        var m = s.metrics();
        buf.putInt(MAGIC).put((byte) FORMAT_VERSION).put(new byte[3])
                .putLong(s.version()).putInt(s.epoch()).putLong(s.step())
                .putLong(s.createdAt().toEpochMilli())
                .putInt(WeightSnapshot.INPUTS).putInt(WeightSnapshot.OUTPUTS)
                .putDouble(hp.learningRate()).putInt(hp.batchSize()).putLong(hp.seed())
                .putInt(s.plan().targetEpochs())
                .putDouble(m.trainLoss()).putDouble(m.trainAccuracy()).putDouble(m.testAccuracy());
        Wire.putString(buf, name);
        buf.putShort((short) s.lineage().size());
        for (int i = 0; i < topics.size(); i++) {
            Wire.putString(buf, topics.get(i));
            buf.putInt(s.lineage().get(i).partition()).putLong(s.lineage().get(i).offset());
        }
        buf.put(descriptor);
        var floats = buf.asFloatBuffer();
        s.network().tensors().values().forEach(floats::put);
        buf.position(buf.position() + paramBytes);
        int signedLength = buf.position();
        buf.put((byte) macBytes);
        if (signing != null) {
            buf.put(signing.sign(buf.array(), signedLength));
        }
        return Wire.seal(buf);
    }

    /**
     * Decodes and checks a record without checking who made it (tools, tests, the dead-letter
     * path). Readers that act on a snapshot use {@link #decode(byte[], SnapshotSigning)}.
     *
     * @throws WireFormatException naming the first thing that is wrong
     */
    public static WeightSnapshot decode(byte[] data) {
        return decode(data, null);
    }

    /**
     * Decodes and checks a record; with keys, it must carry a signature that one of them verifies.
     *
     * @param signing the accepted keys, or null to accept unsigned records
     * @throws WireFormatException naming the first thing that is wrong (the message says "signature"
     *                             for an unsigned or forged record)
     */
    public static WeightSnapshot decode(byte[] data, SnapshotSigning signing) {
        return Wire.guard(FORMAT, () -> {
            ByteBuffer buf = Wire.open(data, MAGIC, 1, FORMAT_VERSION, FORMAT, V1_FIXED_BYTES);
            int formatVersion = Byte.toUnsignedInt(buf.get(4));
            if (formatVersion >= 2 && data.length < FIXED_BYTES) {
                throw new WireFormatException(FORMAT + ": record of " + data.length + " bytes is shorter than the "
                        + FIXED_BYTES + "-byte minimum");
            }
            buf.position(buf.position() + 3);
            long modelVersion = buf.getLong();
            int epoch = buf.getInt();
            long step = buf.getLong();
            Instant createdAt = Instant.ofEpochMilli(buf.getLong());
            int inputs = buf.getInt();
            int outputs = buf.getInt();
            if (inputs != WeightSnapshot.INPUTS || outputs != WeightSnapshot.OUTPUTS) {
                throw new WireFormatException(FORMAT + ": shape " + inputs + "x" + outputs + ", expected "
                        + WeightSnapshot.INPUTS + "x" + WeightSnapshot.OUTPUTS);
            }
            var hp = new WeightSnapshot.Hyperparameters(buf.getDouble(), buf.getInt(), buf.getLong());
            int targetEpochs = formatVersion >= 2 ? buf.getInt() : 0;
            if (targetEpochs < 0) {
                throw new WireFormatException(FORMAT + ": target epochs " + targetEpochs + " is negative");
            }
            var metrics = new WeightSnapshot.Metrics(buf.getDouble(), buf.getDouble(), buf.getDouble());
            String name = Wire.getString(buf, "model name");
            int m = Short.toUnsignedInt(Wire.need(buf, 2, "lineage count").getShort());
            List<WeightSnapshot.SourceOffset> lineage = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                String topic = Wire.getString(buf, "lineage topic");
                Wire.need(buf, 12, "lineage offset");
                lineage.add(new WeightSnapshot.SourceOffset(topic, buf.getInt(), buf.getLong()));
            }
            Architecture architecture = formatVersion >= 3 ? readDescriptor(buf) : ModelFamily.SOFTMAX.architecture();
            int paramBytes = 4 * architecture.parameterCount();
            int trailer = formatVersion >= 2 ? 1 : 0;
            if (buf.remaining() < paramBytes + trailer) {
                throw new WireFormatException(FORMAT + ": parameters of " + architecture.family().id() + " need "
                        + paramBytes + " bytes, record has " + buf.remaining());
            }
            Map<String, float[]> tensors = new LinkedHashMap<>();
            var floats = buf.asFloatBuffer();
            for (var t : architecture.parameters()) {
                float[] v = new float[t.size()];
                floats.get(v);
                tensors.put(t.name(), v);
            }
            buf.position(buf.position() + paramBytes);
            byte[] mac = null;
            int signedLength = buf.position();
            if (formatVersion >= 2) {
                int macBytes = Byte.toUnsignedInt(buf.get());
                if (macBytes != 0 && macBytes != SnapshotSigning.SIGNATURE_BYTES
                        && macBytes != SnapshotSigning.HMAC_SIGNATURE_BYTES) {
                    throw new WireFormatException(FORMAT + ": signature of " + macBytes + " bytes (expected 0 or "
                            + SnapshotSigning.SIGNATURE_BYTES + ")");
                }
                if (macBytes > 0) {
                    mac = new byte[macBytes];
                    Wire.need(buf, macBytes, "signature").get(mac);
                }
            }
            if (formatVersion == 1 && buf.hasRemaining()) {
                throw new WireFormatException(FORMAT + ": parameters need " + SOFTMAX_PARAM_BYTES + " bytes for "
                        + inputs + "x" + outputs + " weights and " + outputs + " biases, record has "
                        + (buf.limit() - signedLength + SOFTMAX_PARAM_BYTES));
            }
            Wire.requireFullyRead(buf, FORMAT);
            if (signing != null) {
                if (mac == null) {
                    throw new WireFormatException(FORMAT + ": signature missing (an unsigned snapshot, format version "
                            + formatVersion + "; this reader accepts signed snapshots only)");
                }
                if (mac.length == SnapshotSigning.HMAC_SIGNATURE_BYTES) {
                    throw new WireFormatException(FORMAT + ": signature is HMAC-SHA256 (written before Ed25519 "
                            + "signatures); this reader accepts Ed25519 only, the trainer's next snapshot is signed with it");
                }
                if (!signing.verify(data, signedLength, mac)) {
                    throw new WireFormatException(FORMAT + ": signature does not verify with any configured key");
                }
            }
            // weights are checked after the signature: a non-finite weight in an authentic record is a diverged
            // run, reported with its model and version (NonFiniteWeightsException) so it can be refused by name
            String nonFinite = firstNonFinite(architecture, tensors);
            if (nonFinite != null && modelVersion >= 1 && modelVersion <= MAX_VERSION && !name.isBlank()) {
                throw new NonFiniteWeightsException(name, modelVersion, FORMAT + ": version " + modelVersion + " of '"
                        + name + "' has non-finite weights (" + nonFinite + "): its training diverged");
            }
            Network network = network(architecture, tensors);
            var s = new WeightSnapshot(name, modelVersion, epoch, step, network, hp, metrics, lineage, createdAt,
                    new WeightSnapshot.Plan(targetEpochs));
            validate(s, WireFormatException::new);
            return s;
        });
    }

    private static void validate(WeightSnapshot s, Function<String, RuntimeException> error) {
        if (s.modelName().isBlank()) {
            throw error.apply(FORMAT + ": model name is empty");
        }
        // a family names one architecture: every reader (scoring, OIP shapes, export, resume) may rely on it
        var family = s.network().family();
        if (!s.network().architecture().layers().equals(family.architecture().layers())) {
            throw error.apply(FORMAT + ": the layers of this " + family.id() + " network are not the " + family.id()
                    + " architecture (" + family.architecture().parameters() + ")");
        }
        if (s.version() < 1 || s.version() > MAX_VERSION || s.epoch() < 0 || s.step() < 0) {
            throw error.apply(FORMAT + ": version " + s.version() + ", epoch " + s.epoch() + ", step " + s.step()
                    + " (version must be in 1.." + MAX_VERSION + ", epoch and step >= 0)");
        }
        var m = s.metrics();
        if (Double.isInfinite(m.trainLoss()) || m.trainLoss() < 0) {
            throw error.apply(FORMAT + ": train loss " + m.trainLoss() + " is not a finite non-negative number");
        }
        checkFraction(m.trainAccuracy(), "train accuracy", error);
        checkFraction(m.testAccuracy(), "test accuracy", error);
        if (s.lineage().size() > 0xFFFF) {
            throw error.apply(FORMAT + ": too many lineage entries");
        }
        for (WeightSnapshot.SourceOffset o : s.lineage()) {
            if (o == null || o.topic() == null) {
                throw error.apply(FORMAT + ": lineage entry without a topic");
            }
        }
    }

    /** The first NaN or infinite weight ({@code tensor W[3][7] is NaN}), or null when all are finite. */
    private static String firstNonFinite(Architecture architecture, Map<String, float[]> tensors) {
        for (float[] v : tensors.values()) {
            for (float f : v) {
                if (!Float.isFinite(f)) {
                    try {
                        new Network(architecture, tensors);
                    } catch (IllegalArgumentException e) {
                        return e.getMessage();
                    }
                }
            }
        }
        return null;
    }

    private static Network network(Architecture architecture, Map<String, float[]> tensors) {
        try {
            return new Network(architecture, tensors);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(FORMAT + ": " + e.getMessage());
        }
    }

    private static byte[] descriptor(Architecture a) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeUTF(a.family().id());
            out.writeUTF(Architecture.INPUT_LAYOUT);
            out.writeByte(a.layers().size());
            for (Layer l : a.layers()) {
                if (l instanceof Layer.Dense d) {
                    out.writeByte(DENSE);
                    out.writeUTF(d.weight());
                    out.writeUTF(d.bias());
                    out.writeInt(d.in());
                    out.writeInt(d.out());
                } else if (l instanceof Layer.Conv c) {
                    out.writeByte(CONV);
                    out.writeUTF(c.weight());
                    out.writeUTF(c.bias());
                    out.writeInt(c.inChannels());
                    out.writeInt(c.outChannels());
                    out.writeInt(c.kernel());
                    out.writeInt(c.padding());
                } else if (l instanceof Layer.MaxPool p) {
                    out.writeByte(MAX_POOL);
                    out.writeInt(p.size());
                } else {
                    out.writeByte(l == Layer.Relu.INSTANCE ? RELU : FLATTEN);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Architecture readDescriptor(ByteBuffer buf) {
        ModelFamily family;
        try {
            family = ModelFamily.parse(Wire.getString(buf, "model family"));
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(FORMAT + ": " + e.getMessage());
        }
        String layout = Wire.getString(buf, "input layout");
        if (!layout.equals(Architecture.INPUT_LAYOUT)) {
            throw new WireFormatException(FORMAT + ": input layout '" + layout + "', expected '"
                    + Architecture.INPUT_LAYOUT + "'");
        }
        int count = Byte.toUnsignedInt(Wire.need(buf, 1, "layer count").get());
        if (count < 1 || count > Architecture.MAX_LAYERS) {
            throw new WireFormatException(FORMAT + ": " + count + " layers (1 to " + Architecture.MAX_LAYERS + " allowed)");
        }
        List<Layer> layers = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                byte kind = Wire.need(buf, 1, "layer kind").get();
                layers.add(switch (kind) {
                    case DENSE -> new Layer.Dense(Wire.getString(buf, "weight name"), Wire.getString(buf, "bias name"),
                            Wire.need(buf, 8, "dense shape").getInt(), buf.getInt());
                    case CONV -> new Layer.Conv(Wire.getString(buf, "weight name"), Wire.getString(buf, "bias name"),
                            Wire.need(buf, 16, "conv shape").getInt(), buf.getInt(), buf.getInt(), buf.getInt());
                    case RELU -> Layer.Relu.INSTANCE;
                    case MAX_POOL -> new Layer.MaxPool(Wire.need(buf, 4, "pool size").getInt());
                    case FLATTEN -> Layer.Flatten.INSTANCE;
                    default -> throw new WireFormatException(FORMAT + ": layer " + i + " has unknown kind " + kind);
                });
            }
            return new Architecture(family, layers);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(FORMAT + ": architecture: " + e.getMessage());
        }
    }

    private static void checkFraction(double v, String name, Function<String, RuntimeException> error) {
        if (!Double.isNaN(v) && (v < 0 || v > 1)) {
            throw error.apply(FORMAT + ": " + name + " " + v + " is not in [0, 1]");
        }
    }
}
