package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.model.Architecture;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.contracts.model.Networks;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Format 3: the architecture descriptor and named tensors of every family; format 2 still read. */
class ModelSnapshotCodecTest {
    private static final Instant CREATED = Instant.ofEpochMilli(1_767_225_600_123L);

    private static WeightSnapshot snapshot(Network network) {
        return new WeightSnapshot(network.family().modelName(), 3, 2, 470, network,
                new WeightSnapshot.Hyperparameters(0.1, 256, 42), new WeightSnapshot.Metrics(0.4, 0.86, 0.85),
                List.of(new WeightSnapshot.SourceOffset(Topics.TRAIN, 0, 60_000)), CREATED,
                new WeightSnapshot.Plan(10));
    }

    private static SnapshotSigning signer() {
        byte[] k = new byte[32];
        new Random(1).nextBytes(k);
        return SnapshotSigning.signer(java.util.Base64.getEncoder().encodeToString(k), null);
    }

    private static String rejected(byte[] record) {
        return assertThrows(WireFormatException.class, () -> WeightSnapshotCodec.decode(record)).getMessage();
    }

    private static void assertContains(String message, String part) {
        assertTrue(message.contains(part), () -> "'" + message + "' should contain '" + part + "'");
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void roundTripsEveryFamilyBitExactSignedAndUnder1MB(ModelFamily family) {
        Network net = Networks.random(family.architecture(), 5);
        byte[] record = WeightSnapshotCodec.encode(snapshot(net), signer());
        assertTrue(record.length < WeightSnapshotCodec.MAX_RECORD_BYTES, family + ": " + record.length + " bytes");
        WeightSnapshot back = WeightSnapshotCodec.decode(record, signer());
        assertEquals(family, back.network().family());
        assertEquals(family.architecture(), back.network().architecture());
        for (var t : family.architecture().parameters()) {
            assertArrayEquals(net.tensor(t.name()), back.network().tensor(t.name()), t.name());
        }
        assertEquals(10, back.plan().targetEpochs());
    }

    @Test
    void aFamilyNamesItsArchitectureAndTheSignatureCoversTheTensors() {
        byte[] record = WeightSnapshotCodec.encode(snapshot(Networks.random(ModelFamily.MLP.architecture(), 2)), signer());
        // relabel the family "mlp" as "cnn" (same length) and fix the checksum: mlp layers under the cnn's name
        byte[] relabelled = record.clone();
        int at = indexOf(relabelled, new byte[] {0, 3, 'm', 'l', 'p'}, 100) + 2;
        relabelled[at] = 'c';
        relabelled[at + 1] = 'n';
        relabelled[at + 2] = 'n';
        Records.reseal(relabelled);
        assertContains(rejected(relabelled), "the layers of this cnn network are not the cnn architecture");
        // one weight changed, checksum fixed: only the signature can tell
        byte[] forged = record.clone();
        forged[record.length - 4 - 1 - 64 - 4] ^= 1;
        Records.reseal(forged);
        WeightSnapshotCodec.decode(forged);
        String e = assertThrows(WireFormatException.class, () -> WeightSnapshotCodec.decode(forged, signer())).getMessage();
        assertContains(e, "signature does not verify");
        var other = new dev.fmnist.contracts.model.Architecture(ModelFamily.MLP,
                List.of(new dev.fmnist.contracts.model.Layer.Dense("W", "b", 784, 10)));
        String refused = assertThrows(IllegalArgumentException.class,
                () -> WeightSnapshotCodec.encode(snapshot(Networks.random(other, 1)))).getMessage();
        assertContains(refused, "not the mlp architecture");
    }

    @Test
    void readsFormatTwoRecordsAsSoftmax() {
        Network net = Networks.random(ModelFamily.SOFTMAX.architecture(), 8);
        WeightSnapshot s = snapshot(net);
        byte[] v3 = WeightSnapshotCodec.encode(s);
        // format 2 is format 3 without the descriptor, version byte 2
        int descriptorAt = headerLength(s);
        int descriptorLength = descriptor(ModelFamily.SOFTMAX.id(), Architecture.INPUT_LAYOUT, 1,
                out -> dense(out, "W", "b", 784, 10)).length;
        ByteBuffer v2 = ByteBuffer.allocate(v3.length - descriptorLength);
        v2.put(v3, 0, descriptorAt).put(v3, descriptorAt + descriptorLength, v3.length - descriptorAt - descriptorLength);
        byte[] record = v2.array();
        record[4] = 2;
        WeightSnapshot back = WeightSnapshotCodec.decode(Records.reseal(record));
        assertEquals(ModelFamily.SOFTMAX, back.network().family());
        assertArrayEquals(net.tensor("W"), back.network().tensor("W"));
        assertArrayEquals(net.tensor("b"), back.network().tensor("b"));
    }

    @Test
    void rejectsHostileDescriptors() {
        assertContains(rejected(withDescriptor(descriptor("resnet", Architecture.INPUT_LAYOUT, 1,
                out -> dense(out, "W", "b", 784, 10)), 7850)), "unknown model family 'resnet'");
        assertContains(rejected(withDescriptor(descriptor("softmax", "float32 3x224x224", 1,
                out -> dense(out, "W", "b", 784, 10)), 7850)), "input layout 'float32 3x224x224'");
        assertContains(rejected(withDescriptor(descriptor("softmax", Architecture.INPUT_LAYOUT, 0, out -> {
        }), 0)), "0 layers");
        assertContains(rejected(withDescriptor(descriptor("softmax", Architecture.INPUT_LAYOUT, 1,
                out -> out.writeByte(9)), 0)), "unknown kind 9");
        assertContains(rejected(withDescriptor(descriptor("mlp", Architecture.INPUT_LAYOUT, 1,
                out -> dense(out, "W", "b", 783, 10)), 7840)), "expects 783 inputs");
        // a tiny record claiming a huge network: refused by the bounds before any allocation
        assertContains(rejected(withDescriptor(descriptor("cnn", Architecture.INPUT_LAYOUT, 2, out -> {
            out.writeByte(2);
            out.writeUTF("c.weight");
            out.writeUTF("c.bias");
            out.writeInt(1);
            out.writeInt(1024);
            out.writeInt(15);
            out.writeInt(7);
            dense(out, "W", "b", 1024 * 28 * 28, 10);
        }), 0)), "exceed the limit");
        // a valid descriptor whose tensors are not in the record
        assertContains(rejected(withDescriptor(descriptor("mlp", Architecture.INPUT_LAYOUT, 3, out -> {
            dense(out, "W1", "b1", 784, 256);
            out.writeByte(3);
            dense(out, "W2", "b2", 256, 10);
        }), 100)), "parameters of mlp need 814120 bytes");
        assertContains(rejected(withDescriptor(descriptor("mlp", Architecture.INPUT_LAYOUT, 2, out -> {
            dense(out, "W", "b", 784, 10);
            dense(out, "W", "b", 10, 10);
        }), 7960)), "used twice");
    }

    // ---- building records by hand

    private interface Layers {
        void write(DataOutputStream out) throws IOException;
    }

    private static void dense(DataOutputStream out, String w, String b, int in, int n) throws IOException {
        out.writeByte(1);
        out.writeUTF(w);
        out.writeUTF(b);
        out.writeInt(in);
        out.writeInt(n);
    }

    private static byte[] descriptor(String family, String layout, int count, Layers layers) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeUTF(family);
            out.writeUTF(layout);
            out.writeByte(count);
            layers.write(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** Fixed fields, name and lineage of {@link #snapshot}: where the descriptor starts. */
    private static int headerLength(WeightSnapshot s) {
        int lineage = 2;
        for (var o : s.lineage()) {
            lineage += 2 + o.topic().length() + 12;
        }
        return 92 + 2 + s.modelName().length() + lineage;
    }

    /** An unsigned format-3 record with the given descriptor and {@code floats} parameter values. */
    private static byte[] withDescriptor(byte[] descriptor, int floats) {
        WeightSnapshot s = snapshot(Networks.random(ModelFamily.SOFTMAX.architecture(), 1));
        byte[] good = WeightSnapshotCodec.encode(s);
        int head = headerLength(s);
        ByteBuffer buf = ByteBuffer.allocate(head + descriptor.length + 4 * floats + 1 + 4);
        buf.put(good, 0, head).put(descriptor);
        for (int i = 0; i < floats; i++) {
            buf.putFloat(0.01f);
        }
        buf.put((byte) 0);
        return Records.reseal(buf.array());
    }

    private static int indexOf(byte[] data, byte[] part, int from) {
        outer:
        for (int i = from; i <= data.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
