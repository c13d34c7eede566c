package dev.fmnist.contracts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.model.Architecture;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeightSnapshotCodecTest {
    private static final int W = WeightSnapshot.INPUTS * WeightSnapshot.OUTPUTS;
    private static final int PARAM_BYTES = 4 * (W + WeightSnapshot.OUTPUTS);
    private static final Instant CREATED = Instant.ofEpochMilli(1_767_225_600_123L);
    private static final List<WeightSnapshot.SourceOffset> LINEAGE = List.of(
            new WeightSnapshot.SourceOffset(Topics.TRAIN, 0, 235),
            new WeightSnapshot.SourceOffset(Topics.TEST, 0, 40));

    /** W ~ N(0, 0.01) as d2l initialises it, b small, seeded. */
    private static WeightSnapshot snapshot(String name, long version, int epoch, long step, float[] w, float[] b,
                                           WeightSnapshot.Metrics metrics) {
        return new WeightSnapshot(name, version, epoch, step, w, b,
                new WeightSnapshot.Hyperparameters(0.1, 256, 42L), metrics, LINEAGE, CREATED);
    }

    private static float[] weights() {
        Random r = new Random(7);
        float[] w = new float[W];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.01);
        }
        w[0] = Float.MIN_VALUE;
        w[1] = -0.0f;
        w[2] = Float.MAX_VALUE;
        return w;
    }

    private static float[] bias() {
        float[] b = new float[WeightSnapshot.OUTPUTS];
        for (int i = 0; i < b.length; i++) {
            b[i] = (i - 4.5f) / 100;
        }
        return b;
    }

    private static WeightSnapshot good() {
        return snapshot("softmax-d2l", 12, 3, 705, weights(), bias(), new WeightSnapshot.Metrics(0.51, 0.83, 0.82));
    }

    private static String rejected(byte[] record) {
        return assertThrows(WireFormatException.class, () -> WeightSnapshotCodec.decode(record)).getMessage();
    }

    private static String unbuildable(org.junit.jupiter.api.function.Executable build) {
        return assertThrows(IllegalArgumentException.class, build).getMessage();
    }

    private static String refused(WeightSnapshot s) {
        return assertThrows(IllegalArgumentException.class, () -> WeightSnapshotCodec.encode(s)).getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "'" + message + "' should contain '" + part + "'");
        }
    }

    private static byte[] tamper(Consumer<ByteBuffer> edit) {
        byte[] record = WeightSnapshotCodec.encode(good());
        edit.accept(ByteBuffer.wrap(record));
        return Records.reseal(record);
    }

    /** Where W starts in an unsigned version-2 record: before b, the signature length (0) and the CRC. */
    private static int paramsAt(byte[] record) {
        return record.length - 4 - 1 - PARAM_BYTES;
    }

    private static int lastBiasAt(byte[] record) {
        return record.length - 4 - 1 - 4;
    }

    // ---- round trips

    @Test
    void roundTripsEveryField() {
        WeightSnapshot s = good();
        WeightSnapshot back = WeightSnapshotCodec.decode(WeightSnapshotCodec.encode(s));
        assertEquals(s.modelName(), back.modelName());
        assertEquals(12, back.version());
        assertEquals(3, back.epoch());
        assertEquals(705, back.step());
        assertArrayEquals(s.network().tensor("W"), back.network().tensor("W"));
        assertArrayEquals(s.network().tensor("b"), back.network().tensor("b"));
        // bit-exact, including -0.0 and the extremes
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back.network().tensor("W")[1]));
        assertEquals(Float.MAX_VALUE, back.network().tensor("W")[2]);
        assertEquals(s.hyperparameters(), back.hyperparameters());
        assertEquals(s.metrics(), back.metrics());
        assertEquals(LINEAGE, back.lineage());
        assertEquals(CREATED, back.createdAt());
        assertEquals(WeightSnapshot.Plan.NONE, back.plan());
        WeightSnapshot planned = s.withPlan(new WeightSnapshot.Plan(120));
        assertEquals(120, WeightSnapshotCodec.decode(WeightSnapshotCodec.encode(planned)).plan().targetEpochs());
    }

    @Test
    void nanMetricsMeanUnmeasuredAndSurvive() {
        WeightSnapshot s = snapshot("m", 1, 0, 0, weights(), bias(), WeightSnapshot.Metrics.UNMEASURED);
        WeightSnapshot.Metrics back = WeightSnapshotCodec.decode(WeightSnapshotCodec.encode(s)).metrics();
        assertTrue(Double.isNaN(back.trainLoss()));
        assertTrue(Double.isNaN(back.trainAccuracy()));
        assertTrue(Double.isNaN(back.testAccuracy()));
        var partial = new WeightSnapshot.Metrics(0.7, 0.75, Double.NaN);
        var back2 = WeightSnapshotCodec.decode(WeightSnapshotCodec.encode(
                snapshot("m", 2, 0, 100, weights(), bias(), partial))).metrics();
        assertEquals(0.7, back2.trainLoss());
        assertTrue(Double.isNaN(back2.testAccuracy()));
    }

    @Test
    void createdAtKeepsMillisecondsAndDropsFinerPrecision() {
        Instant precise = Instant.ofEpochSecond(1_767_225_600L, 123_456_789);
        WeightSnapshot s = new WeightSnapshot("m", 1, 0, 0, weights(), bias(),
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), WeightSnapshot.Metrics.UNMEASURED, List.of(), precise);
        WeightSnapshot back = WeightSnapshotCodec.decode(WeightSnapshotCodec.encode(s));
        assertEquals(Instant.ofEpochMilli(1_767_225_600_123L), back.createdAt());
        assertEquals(List.of(), back.lineage());
    }

    @Test
    void recordSizeIsHeaderNameLineageAndParameters() {
        byte[] record = WeightSnapshotCodec.encode(good());
        int lineage = 2 + (2 + Topics.TRAIN.length() + 12) + (2 + Topics.TEST.length() + 12);
        int descriptor = 2 + "softmax".length() + 2 + Architecture.INPUT_LAYOUT.length() + 1 + 1 + 3 + 3 + 8;
        assertEquals(92 + 2 + "softmax-d2l".length() + lineage + descriptor + PARAM_BYTES + 1 + 4, record.length);
        ByteBuffer buf = ByteBuffer.wrap(record);
        assertEquals(0x464D5753, buf.getInt(0));
        assertEquals(3, buf.get(4));
        assertEquals(0, buf.get(record.length - 5), "unsigned: signature length 0");
        assertEquals(784, buf.getInt(36));
        assertEquals(10, buf.getInt(40));
        // W[0][1] at params + 4, b[9] last
        assertEquals(good().network().tensor("W")[1], buf.getFloat(paramsAt(record) + 4));
        assertEquals(bias()[9], buf.getFloat(lastBiasAt(record)));
    }

    // ---- decode rejections

    @Test
    void rejectsWrongShape() {
        assertContains(rejected(tamper(buf -> buf.putInt(36, 783))), "shape 783x10, expected 784x10");
        assertContains(rejected(tamper(buf -> buf.putInt(40, 11))), "shape 784x11, expected 784x10");
    }

    @Test
    void rejectsNonFiniteWeightsNamingThePosition() {
        float[][] bad = {{Float.NaN}, {Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY}};
        for (float[] v : bad) {
            // W[3][7] and b[9]
            byte[] w = tamper(buf -> buf.putFloat(paramsAt(buf.array()) + 4 * (3 * 10 + 7), v[0]));
            assertContains(rejected(w), "W[3][7] is " + v[0]);
            byte[] b = tamper(buf -> buf.putFloat(lastBiasAt(buf.array()), v[0]));
            assertContains(rejected(b), "b[9] is " + v[0]);
            // last weight, W[783][9]
            byte[] last = tamper(buf -> buf.putFloat(paramsAt(buf.array()) + 4 * (W - 1), v[0]));
            assertContains(rejected(last), "W[783][9] is " + v[0]);
        }
    }

    @Test
    void refusesNonFiniteWeightsWhenEncoding() {
        float[] w = weights();
        w[784 * 10 - 11] = Float.NaN;
        assertContains(unbuildable(() -> snapshot("m", 1, 0, 0, w, bias(), WeightSnapshot.Metrics.UNMEASURED)),
                "W[782][9] is NaN");
        float[] b = bias();
        b[0] = Float.NEGATIVE_INFINITY;
        assertContains(unbuildable(() -> snapshot("m", 1, 0, 0, weights(), b, WeightSnapshot.Metrics.UNMEASURED)),
                "b[0] is -Infinity");
    }

    @Test
    void refusesWrongArrayLengthsWhenEncoding() {
        assertContains(unbuildable(() -> snapshot("m", 1, 0, 0, new float[W - 1], bias(), WeightSnapshot.Metrics.UNMEASURED)),
                "W[784x10] has 7839 values, expected 7840");
        assertContains(unbuildable(() -> snapshot("m", 1, 0, 0, weights(), new float[11], WeightSnapshot.Metrics.UNMEASURED)),
                "b[10] has 11 values, expected 10");
    }

    @Test
    void rejectsAnySingleCorruptedByte() {
        byte[] good = WeightSnapshotCodec.encode(good());
        Random r = new Random(3);
        for (int k = 0; k < 200; k++) {
            int i = k < 120 ? k : 5 + r.nextInt(good.length - 5);
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << r.nextInt(8));
            // a version byte flipped to another version the reader knows fails its checksum instead
            boolean known = bad[4] >= 1 && bad[4] <= WeightSnapshotCodec.FORMAT_VERSION;
            String expected = i < 4 ? "bad magic" : i == 4 && !known ? "unsupported format version" : "checksum mismatch";
            assertContains(rejected(bad), expected);
        }
    }

    @Test
    void rejectsTruncatedAndTrailingBytes() {
        byte[] record = WeightSnapshotCodec.encode(good());
        assertContains(rejected(null), "weight snapshot", "null");
        assertContains(rejected(new byte[10]), "shorter than the 96-byte minimum");
        assertContains(rejected(Arrays.copyOf(record, record.length - 100)), "checksum mismatch");
        assertContains(rejected(Arrays.copyOf(record, record.length + 3)), "checksum mismatch");
        int body = record.length - 4;
        assertContains(rejected(Records.resizeBody(record, body - 4)),
                "parameters of softmax need 31400 bytes, record has 31397");
        assertContains(rejected(Records.resizeBody(record, body + 4)), "4 unexpected bytes after the last field");
        // cut inside the lineage
        assertContains(rejected(Records.resizeBody(record, 92 + 2 + 11 + 2 + 5)), "truncated record: lineage topic");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 255})
    void rejectsUnsupportedFormatVersions(int version) {
        byte[] record = WeightSnapshotCodec.encode(good());
        record[4] = (byte) version;
        assertContains(rejected(record), "unsupported format version " + version);
    }

    @Test
    void rejectsBadMagic() {
        assertContains(rejected(tamper(buf -> buf.putInt(0, ImageBatchCodec.MAGIC))), "bad magic 0x464D4942, expected 0x464D5753");
    }

    @Test
    void rejectsModelVersionBelowOneAndNegativeEpochOrStep() {
        assertContains(rejected(tamper(buf -> buf.putLong(8, 0))), "version 0,", "version must be in 1..");
        assertContains(rejected(tamper(buf -> buf.putLong(8, Long.MAX_VALUE))), "version 9223372036854775807,");
        assertContains(refused(snapshot("m", WeightSnapshotCodec.MAX_VERSION + 1, 0, 0, weights(), bias(),
                WeightSnapshot.Metrics.UNMEASURED)), "version 9007199254740992,");
        WeightSnapshotCodec.decode(tamper(buf -> buf.putLong(8, WeightSnapshotCodec.MAX_VERSION)));
        assertContains(rejected(tamper(buf -> buf.putLong(8, -3))), "version -3,");
        assertContains(rejected(tamper(buf -> buf.putInt(16, -1))), "epoch -1,");
        assertContains(rejected(tamper(buf -> buf.putLong(20, -1))), "step -1 ");
        assertContains(refused(snapshot("m", 0, 0, 0, weights(), bias(), WeightSnapshot.Metrics.UNMEASURED)), "version 0,");
        assertContains(refused(snapshot("m", 1, -1, 0, weights(), bias(), WeightSnapshot.Metrics.UNMEASURED)), "epoch -1,");
        assertContains(refused(snapshot("m", 1, 0, -1, weights(), bias(), WeightSnapshot.Metrics.UNMEASURED)), "step -1 ");
    }

    @Test
    void rejectsMetricsOutOfRange() {
        assertContains(rejected(tamper(buf -> buf.putDouble(76, 1.0001))), "train accuracy 1.0001 is not in [0, 1]");
        assertContains(rejected(tamper(buf -> buf.putDouble(84, -0.5))), "test accuracy -0.5 is not in [0, 1]");
        assertContains(rejected(tamper(buf -> buf.putDouble(84, Double.POSITIVE_INFINITY))), "test accuracy Infinity");
        assertContains(rejected(tamper(buf -> buf.putDouble(68, -1))), "train loss -1.0 is not a finite non-negative number");
        assertContains(rejected(tamper(buf -> buf.putDouble(68, Double.POSITIVE_INFINITY))), "train loss Infinity");
        assertContains(rejected(tamper(buf -> buf.putInt(64, -1))), "target epochs -1 is negative");
        // the bounds themselves are fine
        WeightSnapshotCodec.decode(tamper(buf -> buf.putDouble(76, 1.0).putDouble(84, 0.0)));
        assertContains(refused(snapshot("m", 1, 0, 0, weights(), bias(), new WeightSnapshot.Metrics(0.5, 2, 0.5))),
                "train accuracy 2.0");
    }

    @Test
    void rejectsBlankOrInvalidModelName() {
        // "softmax-d2l" is 11 bytes at offset 94
        byte[] blank = tamper(buf -> {
            for (int i = 0; i < 11; i++) {
                buf.put(94 + i, (byte) ' ');
            }
        });
        assertContains(rejected(blank), "model name is empty");
        assertContains(rejected(tamper(buf -> buf.put(94, (byte) 0xFE))), "model name is not valid UTF-8");
        assertContains(refused(snapshot(" ", 1, 0, 0, weights(), bias(), WeightSnapshot.Metrics.UNMEASURED)), "model name is empty");
        assertContains(refused(snapshot("", 1, 0, 0, weights(), bias(), WeightSnapshot.Metrics.UNMEASURED)), "model name is empty");
    }

    @Test
    void refusesRecordsOverTheSizeLimit() {
        String topic = "t".repeat(10_000);
        List<WeightSnapshot.SourceOffset> lineage = java.util.stream.IntStream.range(0, 100)
                .mapToObj(p -> new WeightSnapshot.SourceOffset(topic, p, 1)).toList();
        WeightSnapshot s = new WeightSnapshot("m", 1, 0, 0, weights(), bias(),
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), WeightSnapshot.Metrics.UNMEASURED, lineage, CREATED);
        assertContains(refused(s), "exceed the 1000000-byte limit", "100 lineage entries");
        WeightSnapshot nullTopic = new WeightSnapshot("m", 1, 0, 0, weights(), bias(),
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), WeightSnapshot.Metrics.UNMEASURED,
                List.of(new WeightSnapshot.SourceOffset(null, 0, 0)), CREATED);
        assertContains(refused(nullTopic), "lineage entry without a topic");
    }
    // ---- format version 1 (before plans and signatures) is still read

    /** The version-1 layout of a snapshot, written by hand as the earlier encoder did. */
    private static byte[] versionOne(WeightSnapshot s) {
        byte[] name = s.modelName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(88 + 2 + name.length + 2 + PARAM_BYTES + 4);
        buf.putInt(WeightSnapshotCodec.MAGIC).put((byte) 1).put(new byte[3]).putLong(s.version()).putInt(s.epoch())
                .putLong(s.step()).putLong(s.createdAt().toEpochMilli()).putInt(784).putInt(10)
                .putDouble(0.1).putInt(256).putLong(42).putDouble(0.5).putDouble(0.8).putDouble(0.79)
                .putShort((short) name.length).put(name).putShort((short) 0);
        buf.asFloatBuffer().put(s.network().tensor("W")).put(s.network().tensor("b"));
        return Records.reseal(buf.array());
    }

    @Test
    void readsVersionOneRecordsAsUnsignedWithoutAPlan() {
        byte[] v1 = versionOne(good());
        WeightSnapshot back = WeightSnapshotCodec.decode(v1);
        assertEquals(12, back.version());
        assertEquals(0.79, back.metrics().testAccuracy());
        assertArrayEquals(good().network().tensor("W"), back.network().tensor("W"));
        assertEquals(WeightSnapshot.Plan.NONE, back.plan());
        assertContains(assertThrows(WireFormatException.class,
                () -> WeightSnapshotCodec.decode(v1, signing(1))).getMessage(), "signature missing");
    }

    // ---- signatures

    private static String privateKey(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return java.util.Base64.getEncoder().encodeToString(k);
    }

    private static SnapshotSigning signing(int seed) {
        return SnapshotSigning.signer(privateKey(seed), null);
    }

    /** What a reader of the seed's records holds: its public key only. */
    private static SnapshotSigning reader(int seed) {
        return SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(privateKey(seed)));
    }

    @Test
    void signedRecordsVerifyWithTheirKeyOnly() {
        SnapshotSigning key = signing(1);
        byte[] signed = WeightSnapshotCodec.encode(good(), key);
        assertEquals(WeightSnapshotCodec.encode(good()).length + 64, signed.length);
        assertEquals(12, WeightSnapshotCodec.decode(signed, key).version());
        assertEquals(12, WeightSnapshotCodec.decode(signed, reader(1)).version(), "the public key verifies it");
        assertEquals(12, WeightSnapshotCodec.decode(signed).version(), "an unverifying reader still decodes it");
        assertContains(assertThrows(WireFormatException.class,
                () -> WeightSnapshotCodec.decode(signed, reader(2))).getMessage(), "signature does not verify");
        assertContains(assertThrows(WireFormatException.class,
                () -> WeightSnapshotCodec.decode(WeightSnapshotCodec.encode(good()), key)).getMessage(),
                "signature missing");
    }

    @Test
    void anAuthenticRecordWithANonFiniteWeightNamesItsModelAndVersionAForgedOneDoesNot() {
        SnapshotSigning key = signing(1);
        byte[] signed = WeightSnapshotCodec.encode(good(), key);
        int signedLength = signed.length - 4 - 64 - 1;
        // the trainer's key signs weights that diverged: W[0][0] = NaN (a writer other than this codec)
        ByteBuffer.wrap(signed).putFloat(signedLength - PARAM_BYTES, Float.NaN);
        System.arraycopy(key.sign(signed, signedLength), 0, signed, signedLength + 1, 64);
        Records.reseal(signed);
        NonFiniteWeightsException e = assertThrows(NonFiniteWeightsException.class,
                () -> WeightSnapshotCodec.decode(signed, reader(1)));
        assertEquals(12, e.version());
        assertEquals(good().modelName(), e.modelName());
        assertContains(e.getMessage(), "W[0][0] is NaN");
        // under a key the reader does not hold, it is only a record that does not verify
        WireFormatException forged = assertThrows(WireFormatException.class,
                () -> WeightSnapshotCodec.decode(signed, reader(2)));
        assertFalse(forged instanceof NonFiniteWeightsException);
        assertContains(forged.getMessage(), "signature does not verify");
    }

    @Test
    void aForgedRecordWithAValidChecksumDoesNotVerify() {
        SnapshotSigning key = signing(1);
        byte[] signed = WeightSnapshotCodec.encode(good(), key);
        // a forger raises the version and recomputes the CRC, but cannot recompute the signature
        ByteBuffer.wrap(signed).putLong(8, 1_000_000);
        Records.reseal(signed);
        assertEquals(1_000_000, WeightSnapshotCodec.decode(signed).version());
        assertContains(assertThrows(WireFormatException.class,
                () -> WeightSnapshotCodec.decode(signed, reader(1))).getMessage(), "signature does not verify");
    }

    @Test
    void anHmacSignedRecordOfTheSigningBeforeEd25519IsRefusedWithThatReason() {
        byte[] unsigned = WeightSnapshotCodec.encode(good());
        int signedLength = unsigned.length - 4 - 1;
        ByteBuffer hmac = ByteBuffer.allocate(signedLength + 1 + 32 + 4);
        hmac.put(unsigned, 0, signedLength).put((byte) 32).put(new byte[32]);
        byte[] record = hmac.array();
        Records.reseal(record);
        assertEquals(12, WeightSnapshotCodec.decode(record).version(), "it still decodes without keys");
        assertContains(assertThrows(WireFormatException.class,
                () -> WeightSnapshotCodec.decode(record, reader(1))).getMessage(), "HMAC-SHA256");
    }

    @Test
    void rotationAcceptsOldAndNewKeysAndSignsWithTheNewPrivateKey() {
        SnapshotSigning both = SnapshotSigning.verifier(SnapshotSigning.publicKeyOf(privateKey(2)) + ","
                + SnapshotSigning.publicKeyOf(privateKey(1)));
        SnapshotSigning rotatedWriter = SnapshotSigning.signer(privateKey(2), SnapshotSigning.publicKeyOf(privateKey(1)));
        byte[] byOld = WeightSnapshotCodec.encode(good(), signing(1));
        byte[] byNew = WeightSnapshotCodec.encode(good(), rotatedWriter);
        WeightSnapshotCodec.decode(byOld, both);
        WeightSnapshotCodec.decode(byOld, rotatedWriter);
        WeightSnapshotCodec.decode(byNew, both);
        WeightSnapshotCodec.decode(byNew, reader(2));
        assertThrows(WireFormatException.class, () -> WeightSnapshotCodec.decode(byOld, reader(2)));
    }

    @Test
    void rejectsASignatureOfTheWrongLength() {
        byte[] signed = WeightSnapshotCodec.encode(good(), signing(1));
        signed[signed.length - 4 - 64 - 1] = 31;
        Records.reseal(signed);
        assertContains(rejected(signed), "signature of 31 bytes");
    }
}
