package dev.fmnist.console.quality;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.image.ImageConverter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Scores every test image with a snapshot's weights (logits = (pixel / 255) W + b, softmax, as the
 * seed and the inference service do) and tallies the confusion matrix, per-class precision and
 * recall, and the most confident mistakes. Plain Java: 10,000 x 784 x 10 multiply-adds.
 */
public final class QualityEvaluator {
    private static final int CLASSES = FashionMnist.CLASSES;
    private static final int PIXELS = FashionMnist.PIXELS;

    private QualityEvaluator() {
    }

    public static ModelQuality evaluate(WeightSnapshot snapshot, TestSet test, int gallerySize) {
        return evaluate(snapshot.version(), snapshot.weights(), snapshot.bias(), test, gallerySize);
    }

    /** @param weights W, 784 x 10 row-major; @param bias b, 10 values */
    public static ModelQuality evaluate(long version, float[] weights, float[] bias, TestSet test, int gallerySize) {
        if (weights.length != PIXELS * CLASSES || bias.length != CLASSES) {
            throw new IllegalArgumentException("weights must be 784x10 and bias 10");
        }
        float[] scaled = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            scaled[i] = weights[i] / 255f;
        }
        int[][] confusion = new int[CLASSES][CLASSES];
        // least confident mistake on top, so it is the one pushed out
        PriorityQueue<Candidate> worst = new PriorityQueue<>(Comparator.comparingDouble(Candidate::probability)
                .thenComparing(Comparator.comparingInt(Candidate::index).reversed()));
        float[] p = new float[CLASSES];
        int labelled = 0;
        for (int n = 0; n < test.count(); n++) {
            int truth = test.label(n);
            if (truth >= CLASSES) {
                continue; // unlabelled: nothing to compare with
            }
            labelled++;
            probabilities(scaled, bias, test.pixels(), n * PIXELS, p);
            int predicted = argmax(p);
            confusion[truth][predicted]++;
            if (predicted != truth && gallerySize > 0) {
                Candidate c = new Candidate(n, truth, predicted, p[predicted], p[truth]);
                if (worst.size() < gallerySize) {
                    worst.add(c);
                } else if (c.probability() > worst.peek().probability()) {
                    worst.poll();
                    worst.add(c);
                }
            }
        }
        int correct = 0;
        Double[] precision = new Double[CLASSES];
        Double[] recall = new Double[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            correct += confusion[k][k];
            int predictedAsK = 0;
            int actualK = 0;
            for (int j = 0; j < CLASSES; j++) {
                predictedAsK += confusion[j][k];
                actualK += confusion[k][j];
            }
            precision[k] = predictedAsK == 0 ? null : (double) confusion[k][k] / predictedAsK;
            recall[k] = actualK == 0 ? null : (double) confusion[k][k] / actualK;
        }
        List<Candidate> sorted = new ArrayList<>(worst);
        sorted.sort(Comparator.comparingDouble(Candidate::probability).reversed().thenComparingInt(Candidate::index));
        List<ModelQuality.Mistake> mistakes = new ArrayList<>(sorted.size());
        for (Candidate c : sorted) {
            byte[] image = Arrays.copyOfRange(test.pixels(), c.index() * PIXELS, (c.index() + 1) * PIXELS);
            mistakes.add(new ModelQuality.Mistake(c.index(), c.truth(), FashionMnist.label(c.truth()), c.predicted(),
                    FashionMnist.label(c.predicted()), c.probability(), c.trueProbability(),
                    Base64.getEncoder().encodeToString(ImageConverter.encodePng(image))));
        }
        return new ModelQuality(version, test.datasetId(), labelled, correct,
                labelled == 0 ? null : Double.valueOf((double) correct / labelled), confusion, precision, recall,
                labelled - correct, mistakes);
    }

    /** Softmax of (x W + b) for the image at {@code offset}, into {@code out}. */
    static void probabilities(float[] scaledWeights, float[] bias, byte[] pixels, int offset, float[] out) {
        System.arraycopy(bias, 0, out, 0, CLASSES);
        for (int i = 0; i < PIXELS; i++) {
            int v = pixels[offset + i] & 0xFF;
            if (v == 0) {
                continue;
            }
            int row = i * CLASSES;
            for (int j = 0; j < CLASSES; j++) {
                out[j] += scaledWeights[row + j] * v;
            }
        }
        float max = out[0];
        for (int j = 1; j < CLASSES; j++) {
            max = Math.max(max, out[j]);
        }
        double sum = 0;
        for (int j = 0; j < CLASSES; j++) {
            double e = Math.exp((double) out[j] - max);
            out[j] = (float) e;
            sum += e;
        }
        for (int j = 0; j < CLASSES; j++) {
            out[j] = (float) (out[j] / sum);
        }
    }

    /** Index of the largest value, the first one on a tie (as the inference service breaks ties). */
    static int argmax(float[] p) {
        int best = 0;
        for (int j = 1; j < p.length; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return best;
    }

    private record Candidate(int index, int truth, int predicted, double probability, double trueProbability) {
    }
}
