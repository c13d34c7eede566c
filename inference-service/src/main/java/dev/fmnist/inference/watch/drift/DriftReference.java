package dev.fmnist.inference.watch.drift;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fmnist.contracts.FashionMnist;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What drift is measured against, shipped as the resource {@value #RESOURCE} (inference cannot read the data
 * set in Kubernetes): for each {@link ImageFeature}, the quantile bin edges of its values over Fashion-MNIST's
 * training split and how many training images fall in each bin; for the answers, the test split's class
 * counts. Generated from the data by {@code DriftReferenceTest} (which also checks that the shipped file is
 * what the data gives; see the README's drift section).
 *
 * @param dataset     the data set's id ({@code FashionMnistData.datasetId()}) the figures come from
 * @param features    by {@link ImageFeature#tag()}: every feature, nothing else
 * @param predictions the class counts of the reference answers, 10 bins indexed by class (no edges)
 */
public record DriftReference(String dataset, Map<String, Binned> features, Binned predictions) {
    public static final String RESOURCE = "/dev/fmnist/inference/watch/drift/reference.json";
    /** Most bins a feature may have: a bin index is packed in 4 bits ({@link SlidingWindow}). */
    public static final int MAX_BINS = 16;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Counts of reference values by bin. Bin {@code i} holds the values {@code <= edges[i]} not in a lower
     * bin; the last bin (one more than there are edges) holds everything above the last edge.
     *
     * @param edges  ascending, distinct, finite; empty for classes
     * @param counts per bin, each at least 0, {@code edges.length + 1} of them for a feature
     */
    public record Binned(double[] edges, long[] counts) {
        public Binned {
            if (counts == null || counts.length < 2 || counts.length > MAX_BINS) {
                throw new IllegalArgumentException("2 to " + MAX_BINS + " bins, not "
                        + (counts == null ? 0 : counts.length));
            }
            for (int i = 0; i < edges.length; i++) {
                if (!Double.isFinite(edges[i]) || i > 0 && edges[i] <= edges[i - 1]) {
                    throw new IllegalArgumentException("edges must be finite and ascending: " + Arrays.toString(edges));
                }
            }
            if (Arrays.stream(counts).anyMatch(c -> c < 0) || Arrays.stream(counts).sum() == 0) {
                throw new IllegalArgumentException("counts must be >= 0 and not all 0: " + Arrays.toString(counts));
            }
        }

        public int bins() {
            return counts.length;
        }

        /** The bin of {@code value}. */
        public int bin(double value) {
            return bin(edges, value);
        }

        /** The bin of {@code value} under ascending {@code edges} (a linear scan: at most 15 edges). */
        public static int bin(double[] edges, double value) {
            int i = 0;
            while (i < edges.length && value > edges[i]) {
                i++;
            }
            return i;
        }

        public long total() {
            return Arrays.stream(counts).sum();
        }
    }

    public DriftReference {
        features = Map.copyOf(features);
        for (ImageFeature f : ImageFeature.values()) {
            Binned b = features.get(f.tag());
            if (b == null) {
                throw new IllegalArgumentException("the drift reference has no feature '" + f.tag() + "'");
            }
            if (b.counts().length != b.edges().length + 1) {
                throw new IllegalArgumentException("feature '" + f.tag() + "' needs one bin more than edges");
            }
        }
        if (features.size() != ImageFeature.values().length) {
            throw new IllegalArgumentException("the drift reference names unknown features: " + features.keySet());
        }
        if (predictions.bins() != FashionMnist.CLASSES || predictions.edges().length != 0) {
            throw new IllegalArgumentException("the prediction reference has one count per class and no edges");
        }
    }

    /** The feature's reference, by ordinal. */
    public Binned feature(ImageFeature f) {
        return features.get(f.tag());
    }

    /** The shipped reference. @throws IllegalStateException when it is missing or malformed (a build error) */
    public static DriftReference shipped() {
        try (InputStream in = DriftReference.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the build");
            }
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DriftReference parse(byte[] json) {
        try {
            return JSON.readValue(json, DriftReference.class);
        } catch (IOException e) {
            throw new IllegalStateException("malformed drift reference: " + e.getMessage(), e);
        }
    }

    /** The reference as the resource holds it (features in {@link ImageFeature} order). */
    public byte[] toJson() {
        Map<String, Binned> ordered = new LinkedHashMap<>();
        for (ImageFeature f : ImageFeature.values()) {
            ordered.put(f.tag(), feature(f));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", dataset);
        out.put("features", ordered);
        out.put("predictions", predictions);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
