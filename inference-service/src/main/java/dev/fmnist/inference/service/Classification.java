package dev.fmnist.inference.service;

import dev.fmnist.contracts.FashionMnist;

/**
 * One scored image.
 *
 * @param classIndex    the most probable class
 * @param probabilities softmax over the ten classes
 * @param modelVersion  the version that scored it
 * @param epoch         that version's epoch
 * @param model         the model name it belongs to ({@code fmnist-cnn})
 */
public record Classification(int classIndex, float[] probabilities, long modelVersion, int epoch, String model) {
    public String label() {
        return FashionMnist.label(classIndex);
    }
}
