package dev.fmnist.console.quality;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.image.ImageConverter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the compared models classify the test split differently: how many images get more than one
 * answer, per pair of models how many they answer differently and which of the two is right there, and
 * the first few such images (test-set order) with every model's answer.
 *
 * @param models    the model names compared, in the order shown
 * @param versions  the version of each model that was scored
 * @param total     test images compared
 * @param disagree  images the models do not all classify alike
 * @param pairs     each pair of models, in the order of {@code models}
 * @param examples  the first disagreements in test-set order
 */
public record Disagreement(List<String> models, List<Long> versions, String datasetId, int total, int disagree,
                           List<Pair> pairs, List<Example> examples) {

    /**
     * @param differ       images {@code first} and {@code second} classify differently
     * @param onlyFirst    of those, labelled images only {@code first} gets right
     * @param onlySecond   of those, labelled images only {@code second} gets right
     */
    public record Pair(String first, String second, int differ, int onlyFirst, int onlySecond) {
    }

    /**
     * @param trueLabel  null when the image is unlabelled
     * @param predicted  each model's answer (label), by model name
     */
    public record Example(int index, String trueLabel, Map<String, String> predicted, String png) {
    }

    /** One scored model: its name, the version scored, and its predicted class per test image. */
    public record Model(String name, long version, byte[] predictions) {
    }

    /**
     * Compares models scored on the same test split (their prediction arrays are as long as it).
     *
     * @throws IllegalArgumentException when fewer than two models are given or a prediction array does not fit
     */
    public static Disagreement of(List<Model> models, TestSet test, int examples) {
        if (models.size() < 2) {
            throw new IllegalArgumentException("a comparison needs two models, got " + models.size());
        }
        for (Model m : models) {
            if (m.predictions().length != test.count()) {
                throw new IllegalArgumentException(m.name() + " was scored on " + m.predictions().length
                        + " images, the test split has " + test.count());
            }
        }
        int k = models.size();
        int[][] differ = new int[k][k];
        int[][] onlyRow = new int[k][k];
        int disagree = 0;
        List<Example> shown = new ArrayList<>();
        for (int n = 0; n < test.count(); n++) {
            byte first = models.get(0).predictions()[n];
            boolean all = true;
            for (int i = 1; i < k && all; i++) {
                all = models.get(i).predictions()[n] == first;
            }
            if (all) {
                continue;
            }
            disagree++;
            int truth = test.label(n);
            for (int i = 0; i < k; i++) {
                for (int j = i + 1; j < k; j++) {
                    byte a = models.get(i).predictions()[n];
                    byte b = models.get(j).predictions()[n];
                    if (a != b) {
                        differ[i][j]++;
                        if (a == truth) {
                            onlyRow[i][j]++;
                        } else if (b == truth) {
                            onlyRow[j][i]++;
                        }
                    }
                }
            }
            if (shown.size() < examples) {
                Map<String, String> answers = new LinkedHashMap<>();
                for (Model m : models) {
                    answers.put(m.name(), FashionMnist.label(m.predictions()[n]));
                }
                byte[] image = Arrays.copyOfRange(test.pixels(), n * FashionMnist.PIXELS, (n + 1) * FashionMnist.PIXELS);
                shown.add(new Example(n, truth < FashionMnist.CLASSES ? FashionMnist.label(truth) : null, answers,
                        Base64.getEncoder().encodeToString(ImageConverter.encodePng(image))));
            }
        }
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                pairs.add(new Pair(models.get(i).name(), models.get(j).name(), differ[i][j], onlyRow[i][j], onlyRow[j][i]));
            }
        }
        return new Disagreement(models.stream().map(Model::name).toList(), models.stream().map(Model::version).toList(),
                test.datasetId(), test.count(), disagree, pairs, shown);
    }
}
