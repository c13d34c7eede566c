package dev.fmnist.console.quality;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.model.Forward;
import dev.fmnist.contracts.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Scores every test image with a snapshot's model (the shared {@link Forward}, as the inference
 * service does) and tallies the confusion matrix, per-class precision and recall, and the most
 * confident mistakes. {@link #score} also keeps each image's predicted class, for the comparison of models
 * ({@link Disagreement}).
 */
public final class QualityEvaluator {
    private static final int CLASSES = FashionMnist.CLASSES;
    private static final int PIXELS = FashionMnist.PIXELS;

    private QualityEvaluator() {
    }

    public static ModelQuality evaluate(WeightSnapshot snapshot, TestSet test, int gallerySize) {
        return evaluate(snapshot.version(), snapshot.network(), test, gallerySize);
    }

    public static ModelQuality evaluate(long version, Network network, TestSet test, int gallerySize) {
        return score(version, network, test, gallerySize).quality();
    }

    /**
     * A version's quality and the class it predicts for each test image (labelled or not).
     *
     * @param predictions one byte per test image, in test-set order: the predicted class 0-9
     */
    public record Scored(ModelQuality quality, byte[] predictions) {
    }

    public static Scored score(long version, Network network, TestSet test, int gallerySize) {
        Forward forward = Forward.of(network);
        byte[] predictions = new byte[test.count()];
        int[][] confusion = new int[CLASSES][CLASSES];
        // least confident mistake on top, so it is the one pushed out
        PriorityQueue<Candidate> worst = new PriorityQueue<>(Comparator.comparingDouble(Candidate::probability)
                .thenComparing(Comparator.comparingInt(Candidate::index).reversed()));
        int labelled = 0;
        for (int n = 0; n < test.count(); n++) {
            float[] p = forward.probabilities(test.pixels(), n * PIXELS);
            int predicted = Forward.argmax(p);
            predictions[n] = (byte) predicted;
            int truth = test.label(n);
            if (truth >= CLASSES) {
                continue; // unlabelled: nothing to compare with
            }
            labelled++;
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
        return new Scored(new ModelQuality(version, test.datasetId(), labelled, correct,
                labelled == 0 ? null : Double.valueOf((double) correct / labelled), confusion, precision, recall,
                labelled - correct, mistakes), predictions);
    }

    private record Candidate(int index, int truth, int predicted, double probability, double trueProbability) {
    }
}
