package dev.fmnist.inference.service;

import dev.fmnist.contracts.FashionMnist;

/**
 * One scored image.
 *
 * @param classIndex    the most probable class
 * @param probabilities softmax over the ten classes
 * @param modelVersion  the version that scored it
 * @param epoch         that version's epoch
 */
public record Classification(int classIndex, float[] probabilities, long modelVersion, int epoch) {
    public String label() {
        return FashionMnist.label(classIndex);
    }
}
