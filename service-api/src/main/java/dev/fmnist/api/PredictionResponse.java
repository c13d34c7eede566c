package dev.fmnist.api;

import java.util.List;

/**
 * Inference's REST answer for one image.
 *
 * @param model the served model that scored it ({@code fmnist-cnn}): the one {@code ?model=} named, else
 *              the default one
 */
public record PredictionResponse(int classIndex, String label, float[] probabilities, long modelVersion, int epoch,
                                 String model) {

    /** REST answer for a JSON batch: one prediction per image, in order. */
    public record Batch(List<PredictionResponse> predictions) {
    }
}
