package dev.fmnist.console.quality;

import java.util.List;

/**
 * How one model version does on the test split.
 *
 * @param accuracy   correct / total, null when no test image is labelled
 * @param confusion  confusion[true][predicted] counts; the rows sum to each class's test images
 * @param precision  per predicted class: correct / predicted as that class (null when never predicted)
 * @param recall     per true class: correct / images of that class (null when the class is absent)
 * @param mistakes   the most confident misclassifications, most confident first
 */
public record ModelQuality(long modelVersion, String datasetId, int total, int correct, Double accuracy,
                           int[][] confusion, Double[] precision, Double[] recall, int misclassified,
                           List<Mistake> mistakes) {

    /** One misclassified test image: its position in the test set, labels, and the model's confidence. */
    public record Mistake(int index, int trueClass, String trueLabel, int predictedClass, String predictedLabel,
                          double probability, double trueProbability, String png) {
    }
}
