package dev.fmnist.api;

import java.util.List;

/** Inference's REST answer for one image. */
public record PredictionResponse(int classIndex, String label, float[] probabilities, long modelVersion, int epoch) {

    /** REST answer for a JSON batch: one prediction per image, in order. */
    public record Batch(List<PredictionResponse> predictions) {
    }
}
