package dev.fmnist.contracts;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The one codec of {@link WeightSnapshot}. Layout, format version 2, big-endian:
 *
 * <pre>
 * offset size  field
 *  0      4    magic "FMWS" (0x464D5753)
 *  4      1    format version (2)
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
 *  .      4*784*10  W, float32 row-major (W[i][j] at i*10+j)
 *  .      4*10      b, float32
 *  .      1    signature length s (0 = unsigned, or 64)
 *  .      s    Ed25519 signature of every byte before the signature length
 *  .      4    CRC32C of every byte before it
 * </pre>
 *
 * A 32-byte signature is an HMAC-SHA256 of the signing scheme before Ed25519: it decodes, and a
 * reader with keys refuses it with that reason.
 *
 * <p>Version 1 (written before plans and signatures: no target epochs, no signature section, the
 * metrics at offset 64) is still read, as an unsigned snapshot without a plan.
 *
 * <p>Decoding checks magic, then version, then checksum, then (when given keys) the signature, and
 * rejects a shape other than 784x10, any NaN or infinite weight, a blank model name, a version
 * outside 1 .. {@link #MAX_VERSION}, negative epoch or step, and accuracies outside [0, 1]. The
 * encoder refuses records over {@link #MAX_RECORD_BYTES} (a long lineage).
 */
public final class WeightSnapshotCodec {
    public static final int MAGIC = 0x464D5753;
    public static final int FORMAT_VERSION = 2;
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
    private static final int PARAM_BYTES = 4 * (WeightSnapshot.INPUTS * WeightSnapshot.OUTPUTS + WeightSnapshot.OUTPUTS);

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
        long size = (long) FIXED_BYTES + name.length + lineageBytes + PARAM_BYTES + macBytes;
        if (size > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(FORMAT + ": " + size + " bytes exceed the " + MAX_RECORD_BYTES
                    + "-byte limit of one record (" + s.lineage().size() + " lineage entries)");
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
        buf.asFloatBuffer().put(s.weights()).put(s.bias());
        buf.position(buf.position() + PARAM_BYTES);
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
            int trailer = formatVersion >= 2 ? 1 : 0;
            if (buf.remaining() < PARAM_BYTES + trailer) {
                throw new WireFormatException(FORMAT + ": parameters need " + PARAM_BYTES + " bytes for "
                        + inputs + "x" + outputs + " weights and " + outputs + " biases, record has " + buf.remaining());
            }
            float[] w = new float[inputs * outputs];
            float[] b = new float[outputs];
            buf.asFloatBuffer().get(w).get(b);
            buf.position(buf.position() + PARAM_BYTES);
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
                throw new WireFormatException(FORMAT + ": parameters need " + PARAM_BYTES + " bytes for "
                        + inputs + "x" + outputs + " weights and " + outputs + " biases, record has "
                        + (buf.limit() - signedLength + PARAM_BYTES));
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
            var s = new WeightSnapshot(name, modelVersion, epoch, step, w, b, hp, metrics, lineage, createdAt,
                    new WeightSnapshot.Plan(targetEpochs));
            validate(s, WireFormatException::new);
            return s;
        });
    }

    private static void validate(WeightSnapshot s, Function<String, RuntimeException> error) {
        if (s.weights().length != WeightSnapshot.INPUTS * WeightSnapshot.OUTPUTS) {
            throw error.apply(FORMAT + ": W has " + s.weights().length + " values, expected "
                    + WeightSnapshot.INPUTS + "x" + WeightSnapshot.OUTPUTS);
        }
        if (s.bias().length != WeightSnapshot.OUTPUTS) {
            throw error.apply(FORMAT + ": b has " + s.bias().length + " values, expected " + WeightSnapshot.OUTPUTS);
        }
        checkFinite(s.weights(), "W", WeightSnapshot.OUTPUTS, error);
        checkFinite(s.bias(), "b", 1, error);
        if (s.modelName().isBlank()) {
            throw error.apply(FORMAT + ": model name is empty");
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

    private static void checkFinite(float[] values, String name, int cols,
                                    Function<String, RuntimeException> error) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                String where = cols == 1 ? "[" + i + "]" : "[" + (i / cols) + "][" + (i % cols) + "]";
                throw error.apply(FORMAT + ": " + name + where + " is " + values[i]);
            }
        }
    }

    private static void checkFraction(double v, String name, Function<String, RuntimeException> error) {
        if (!Double.isNaN(v) && (v < 0 || v > 1)) {
            throw error.apply(FORMAT + ": " + name + " " + v + " is not in [0, 1]");
        }
    }
}
