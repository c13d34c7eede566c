package dev.fmnist.inference.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.inference.support.SoftmaxFit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The npz and safetensors exports of every family, read and run by NumPy alone
 * ({@code export-check/check_export.py}, which follows the metadata's layers line), score the 10,000
 * test images as the service's {@link Forward} does.
 */
class NumpyExportTest {
    private static final String PYTHON = "/usr/bin/python3";

    private static FashionMnistData data;
    private static SoftmaxFit.Fit fit;

    @BeforeAll
    static void setUp() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import numpy").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "Debian's python3-numpy is not installed (.ci/run installs it): the NumPy check did not run");
        data = SoftmaxFit.data();
        fit = SoftmaxFit.fit(data, 20_000, 1, 42);
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void numpyScoresNpzAndSafetensorsOfEveryFamilyLikeForward(ModelFamily family, @TempDir Path tmp)
            throws IOException, InterruptedException {
        Network network = switch (family) {
            case SOFTMAX -> ExportTestModels.softmax(fit);
            case MLP -> ExportTestModels.mlp(fit, 23);
            case CNN -> ExportTestModels.random(family, 23);
        };
        Forward forward = Forward.of(network);
        byte[] px = data.test().images().pixels();
        int correct = 0;
        for (int k = 0; k < data.test().count(); k++) {
            correct += Forward.argmax(forward.probabilities(px, k * FashionMnist.PIXELS)) == data.test().label(k) ? 1 : 0;
        }
        double accuracy = correct / (double) data.test().count();
        String dataDir = System.getProperty("fmnist.test.data-dir", "../../shared/data/fashion-mnist");
        for (ExportFormat format : new ExportFormat[] {ExportFormat.NPZ, ExportFormat.SAFETENSORS}) {
            Path file = Files.write(tmp.resolve(family.modelName() + "." + format.extension()),
                    WeightsExporter.export(ExportTestModels.snapshot(network, 5), format));
            // float32 in NumPy's order of operations: a near-tie may fall the other way, so 5 images of slack
            Process p = new ProcessBuilder(PYTHON, "export-check/check_export.py", file.toString(), dataDir,
                    Double.toString(accuracy), "0.0005").redirectErrorStream(true).start();
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "check_export.py finished");
            String out = new String(p.getInputStream().readAllBytes());
            System.out.print(out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains(family.id() + " version 5"), out);
        }
    }
}
