package dev.fmnist.inference.rest;

import dev.fmnist.inference.service.Classification;
import java.util.List;

/** REST answer for one image. */
public record PredictionResponse(int classIndex, String label, float[] probabilities, long modelVersion, int epoch) {
    static PredictionResponse of(Classification c) {
        return new PredictionResponse(c.classIndex(), c.label(), c.probabilities(), c.modelVersion(), c.epoch());
    }

    /** REST answer for a JSON batch: one prediction per image, in order. */
    public record Batch(List<PredictionResponse> predictions) {
    }
}
