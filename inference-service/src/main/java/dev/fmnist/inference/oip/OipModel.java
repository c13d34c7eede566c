package dev.fmnist.inference.oip;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.model.Layer;
import dev.fmnist.contracts.model.ModelFamily;
import java.util.List;

/** The names and shapes the served models show through the Open Inference Protocol. */
public final class OipModel {
    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String CLASS = "class";
    public static final List<String> OUTPUT_NAMES = List.of(PROBABILITIES, CLASS);
    /** The seed's platform name, kept for the softmax family. */
    public static final String PLATFORM = "fmnist-softmax-regression";

    private OipModel() {
    }

    /** What runs the model, by family (metadata's {@code platform}). */
    public static String platform(ModelFamily family) {
        return switch (family) {
            case SOFTMAX -> PLATFORM;
            case MLP -> "fmnist-multilayer-perceptron";
            case CNN -> "fmnist-convolutional-network";
        };
    }

    /**
     * The input shape a family's first layer reads, batch first: {@code [-1, 784]} when it is dense (it
     * flattens the image), {@code [-1, 1, 28, 28]} when it is a convolution.
     */
    public static long[] inputShape(ModelFamily family) {
        int[] image = family.architecture().shapes().get(0);
        boolean convolution = family.architecture().layers().get(0) instanceof Layer.Conv;
        if (!convolution) {
            return new long[] {-1, FashionMnist.PIXELS};
        }
        long[] shape = new long[image.length + 1];
        shape[0] = -1;
        for (int i = 0; i < image.length; i++) {
            shape[i + 1] = image[i];
        }
        return shape;
    }
}
