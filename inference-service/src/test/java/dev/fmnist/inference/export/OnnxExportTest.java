package dev.fmnist.inference.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.Architecture;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.Layer;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.inference.support.OnnxRuntimeModel;
import dev.fmnist.inference.support.SoftmaxFit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ONNX export of every family, run by ONNX Runtime (Microsoft's, not ours) on the 10,000
 * Fashion-MNIST test images, gives the probabilities of {@link Forward}, the forward pass the service
 * scores with: the same class on every image, so the same accuracy. Debian's onnx checker, where it is
 * installed, accepts the files.
 */
class OnnxExportTest {
    private static FashionMnistData data;
    private static SoftmaxFit.Fit fit;

    @BeforeAll
    static void setUp() {
        data = SoftmaxFit.data();
        fit = SoftmaxFit.fit(data, 20_000, 1, 42);
    }

    /** Softmax fitted, the MLP built from that fit, the CNN seeded random (no trainer in this module). */
    private static Network network(ModelFamily family) {
        return switch (family) {
            case SOFTMAX -> ExportTestModels.softmax(fit);
            case MLP -> ExportTestModels.mlp(fit, 23);
            case CNN -> ExportTestModels.random(family, 23);
        };
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void onnxRuntimeScoresTheTestSplitLikeTheServedForwardPass(ModelFamily family) throws OrtException {
        Network network = network(family);
        WeightSnapshot snapshot = ExportTestModels.snapshot(network, 7);
        byte[] onnx = WeightsExporter.export(snapshot, ExportFormat.ONNX);
        Forward forward = Forward.of(network);
        byte[] px = data.test().images().pixels();
        int n = data.test().count();
        assertEquals(10_000, n);

        float[][] ort;
        try (OnnxRuntimeModel model = new OnnxRuntimeModel(onnx)) {
            assertSignature(model.session());
            OnnxModelMetadata meta = model.session().getMetadata();
            assertEquals(family.id(), meta.getCustomMetadata().get("family"));
            assertEquals(WeightsExporter.metadata(snapshot).get("layers"), meta.getCustomMetadata().get("layers"));
            assertEquals(7, meta.getVersion());
            assertEquals(family.modelName(), meta.getGraphName());
            assertEquals("fmnist-pipeline", meta.getProducerName());
            ort = model.probabilities(data.test());
        }
        assertEquals(n, ort.length);
        double worst = 0;
        int sameClass = 0;
        int ortCorrect = 0;
        int forwardCorrect = 0;
        for (int k = 0; k < n; k++) {
            float[] expected = forward.probabilities(px, k * FashionMnist.PIXELS);
            assertEquals(FashionMnist.CLASSES, ort[k].length);
            for (int j = 0; j < FashionMnist.CLASSES; j++) {
                worst = Math.max(worst, Math.abs(ort[k][j] - expected[j]));
            }
            int ortClass = Forward.argmax(ort[k]);
            int forwardClass = Forward.argmax(expected);
            sameClass += ortClass == forwardClass ? 1 : 0;
            ortCorrect += ortClass == data.test().label(k) ? 1 : 0;
            forwardCorrect += forwardClass == data.test().label(k) ? 1 : 0;
        }
        System.out.printf("onnx %s: %,d bytes; ONNX Runtime vs Forward on %,d test images: max |dp| %.3g,"
                        + " same class on %,d, accuracy %.4f (ORT) / %.4f (Forward)%n", family.id(), onnx.length,
                n, worst, sameClass, ortCorrect / (double) n, forwardCorrect / (double) n);
        assertTrue(worst < 1e-5, "max |p_ort - p_forward| = " + worst);
        assertEquals(n, sameClass, "images ONNX Runtime and Forward put in the same class");
        assertEquals(forwardCorrect, ortCorrect, "correct answers, ORT vs Forward");
        if (family != ModelFamily.CNN) {
            assertTrue(forwardCorrect > 7_000, "a fitted model (accuracy " + forwardCorrect / (double) n + ")");
        }
    }

    private static void assertSignature(OrtSession session) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        assertEquals(List.of(OnnxExporter.INPUT), new ArrayList<>(inputs.keySet()));
        TensorInfo in = (TensorInfo) inputs.get(OnnxExporter.INPUT).getInfo();
        assertEquals(OnnxJavaType.UINT8, in.type);
        assertArrayEquals(new long[] {-1, 1, 28, 28}, in.getShape());
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        assertEquals(List.of(OnnxExporter.OUTPUT), new ArrayList<>(outputs.keySet()));
        TensorInfo out = (TensorInfo) outputs.get(OnnxExporter.OUTPUT).getInfo();
        assertEquals(OnnxJavaType.FLOAT, out.type);
        assertArrayEquals(new long[] {-1, 10}, out.getShape());
    }

    @Test
    void aTensorNamedLikeTheGraphsInputIsRefused() {
        Architecture clash = new Architecture(ModelFamily.SOFTMAX, List.of(new Layer.Dense(OnnxExporter.INPUT, "b", 784, 10)));
        Network network = new Network(clash, Map.of(OnnxExporter.INPUT, new float[7840], "b", new float[10]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightsExporter.export(ExportTestModels.snapshot(network, 1), ExportFormat.ONNX));
        assertTrue(e.getMessage().contains("'pixels' is taken"), e.getMessage());
    }

    @Test
    void debiansOnnxCheckerAcceptsEveryFamily(@TempDir Path tmp) throws IOException, InterruptedException {
        String python = "/usr/bin/python3";
        Process probe = new ProcessBuilder(python, "-c", "import onnx").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "Debian's python3-onnx is not installed (apt-get install -y python3-onnx): the onnx checker did not run");
        List<String> command = new ArrayList<>(List.of(python, "-c", String.join("\n",
                "import sys, onnx",
                "for path in sys.argv[1:]:",
                "    m = onnx.load(path)",
                "    onnx.checker.check_model(m, full_check=True)",
                "    print(path.rsplit('/', 1)[-1], 'ir', m.ir_version, 'opset', m.opset_import[0].version,",
                "          'nodes', len(m.graph.node), 'onnx', onnx.__version__, 'ok')")));
        for (ModelFamily family : ModelFamily.values()) {
            Path file = tmp.resolve(family.modelName() + ".onnx");
            Files.write(file, WeightsExporter.export(ExportTestModels.snapshot(ExportTestModels.random(family, 5), 3),
                    ExportFormat.ONNX));
            command.add(file.toString());
        }
        Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(check.waitFor(120, TimeUnit.SECONDS), "onnx checker finished");
        String out = new String(check.getInputStream().readAllBytes());
        System.out.print(out);
        assertEquals(0, check.exitValue(), out);
        for (ModelFamily family : ModelFamily.values()) {
            assertTrue(out.contains(family.modelName() + ".onnx ir 8 opset 13"), out);
        }
    }
}
