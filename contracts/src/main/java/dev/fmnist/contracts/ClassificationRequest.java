package dev.fmnist.contracts;

/**
 * A request on {@link Topics#REQUESTS}, keyed by {@code id}. JSON, via {@link ClassificationCodec}:
 * <pre>{"id": "r-1", "pixels": [784 ints 0-255], "label": 9}</pre>
 * or with an encoded image instead of pixels:
 * <pre>{"id": "r-2", "image": "&lt;base64 PNG or JPEG&gt;", "invert": true}</pre>
 * and optionally the model to score it: {@code "model": "cnn"} (family id or model name).
 *
 * @param id     the caller's correlation id, echoed on the prediction
 * @param pixels 784 grayscale values 0-255, row-major, or null when {@code image} is given
 * @param image  a PNG or JPEG, or null when {@code pixels} is given
 * @param invert for {@code image}: turn a dark-on-light photo into Fashion-MNIST's light-on-dark
 * @param label  the true class when the caller knows it (0-9), or null; feeds online accuracy
 * @param model  the model name to score it ({@code fmnist-cnn}; the codec reads a family id or a model
 *               name and gives the model name), or null for the service's default model
 */
public record ClassificationRequest(String id, int[] pixels, byte[] image, boolean invert, Integer label,
                                    String model) {
    /** A request for the default model. */
    public ClassificationRequest(String id, int[] pixels, byte[] image, boolean invert, Integer label) {
        this(id, pixels, image, invert, label, null);
    }
}
