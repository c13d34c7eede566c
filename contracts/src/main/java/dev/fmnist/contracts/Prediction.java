package dev.fmnist.contracts;

/**
 * The answer to a classification, on {@link Topics#PREDICTIONS} (keyed by {@code id}) and in REST.
 *
 * @param id            the request's id (null for REST)
 * @param classIndex    the most probable class, 0-9
 * @param label         its name, from {@link FashionMnist#LABELS}
 * @param probabilities the softmax over the ten classes
 * @param modelVersion  the snapshot version that scored the whole request
 * @param epoch         that snapshot's epoch
 * @param model         the model name that answered ({@code fmnist-cnn}); null in a record written before
 *                      predictions named it
 */
public record Prediction(String id, int classIndex, String label, float[] probabilities, long modelVersion,
                         int epoch, String model) {
}
