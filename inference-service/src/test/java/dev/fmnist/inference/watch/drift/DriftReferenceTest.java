package dev.fmnist.inference.watch.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.support.SoftmaxFit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The shipped drift reference is what Fashion-MNIST gives: recomputed here from the data and compared with
 * the resource byte for byte. This test is also the tool that writes it: after a change of the features or
 * the binning, run it with {@code -Dfmnist.drift.write-reference=true} (README, drift section) and commit the
 * file.
 */
class DriftReferenceTest {
    /** Quantile bins per feature: deciles of the training split. */
    static final int BINS = 10;
    private static final Path SOURCE = Path.of("src/main/resources" + DriftReference.RESOURCE);

    /**
     * Each feature's decile values over the training split as bin edges (ties merged, and no edge at the
     * maximum, so no bin is empty), with the training images counted per bin; the test split's labels per class.
     */
    static DriftReference build(FashionMnistData data) {
        FashionMnistData.Split train = data.train();
        int n = train.count();
        double[][] values = new double[ImageFeature.values().length][n];
        byte[] pixels = train.images().pixels();
        for (int i = 0; i < n; i++) {
            double[] v = ImageFeature.measure(pixels, i * FashionMnist.PIXELS);
            for (int f = 0; f < v.length; f++) {
                values[f][i] = v[f];
            }
        }
        Map<String, DriftReference.Binned> features = new LinkedHashMap<>();
        for (ImageFeature f : ImageFeature.values()) {
            double[] sorted = values[f.ordinal()].clone();
            Arrays.sort(sorted);
            TreeSet<Double> edges = new TreeSet<>();
            for (int k = 1; k < BINS; k++) {
                double q = sorted[(int) ((long) k * n / BINS)];
                if (q < sorted[n - 1]) {
                    edges.add(q);
                }
            }
            double[] e = edges.stream().mapToDouble(Double::doubleValue).toArray();
            long[] counts = new long[e.length + 1];
            for (double v : values[f.ordinal()]) {
                counts[DriftReference.Binned.bin(e, v)]++;
            }
            features.put(f.tag(), new DriftReference.Binned(e, counts));
        }
        long[] classes = new long[FashionMnist.CLASSES];
        for (int i = 0; i < data.test().count(); i++) {
            classes[data.test().label(i)]++;
        }
        return new DriftReference(data.datasetId(), features, new DriftReference.Binned(new double[0], classes));
    }

    @Test
    void theShippedReferenceIsWhatTheDataGives() throws IOException {
        DriftReference built = build(SoftmaxFit.data());
        String json = new String(built.toJson(), StandardCharsets.UTF_8);
        if (Boolean.getBoolean("fmnist.drift.write-reference")) {
            Files.createDirectories(SOURCE.getParent());
            Files.writeString(SOURCE, json + "\n");
            System.out.println("wrote " + SOURCE.toAbsolutePath() + " (the build copies it to the classpath)");
            return;
        }
        String shipped;
        try (InputStream in = DriftReference.class.getResourceAsStream(DriftReference.RESOURCE)) {
            assertTrue(in != null, DriftReference.RESOURCE + " is on the classpath");
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(json + "\n", shipped, "the shipped reference is not what the data gives: regenerate it with"
                + " -Dfmnist.drift.write-reference=true (README, drift section)");
    }

    @Test
    void everyFeatureHasItsBinsFilledAndTheClassesAreTheTestSplits() {
        DriftReference shipped = DriftReference.shipped();
        for (ImageFeature f : ImageFeature.values()) {
            DriftReference.Binned b = shipped.feature(f);
            assertEquals(60_000, b.total(), f.tag() + " counts every training image");
            assertTrue(b.bins() >= 3, f.tag() + " has " + b.bins() + " bins");
            assertTrue(Arrays.stream(b.counts()).allMatch(c -> c > 0), f.tag() + ": no empty bin");
        }
        assertEquals(10_000, shipped.predictions().total());
        assertTrue(Arrays.stream(shipped.predictions().counts()).allMatch(c -> c == 1000), "1,000 test images a class");
    }
}
