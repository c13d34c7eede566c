package dev.fmnist.contracts.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The model families the pipeline trains and serves, each with its one {@link Architecture}: the
 * trainer builds its DJL blocks from it, every scorer ({@link Forward}) runs it, and snapshots carry it.
 * A family is chosen by name ({@code softmax}, {@code mlp}, {@code cnn}); its models are published as
 * {@code fmnist-<name>}.
 */
public enum ModelFamily {
    /** The seed: softmax regression, {@code softmax(x W + b)} with W 784x10. */
    SOFTMAX("softmax", List.of(new Layer.Dense("W", "b", 784, 10))),
    /** d2l's multilayer perceptron: one hidden layer of 256 ReLU units, W1 784x256 and W2 256x10. */
    MLP("mlp", List.of(new Layer.Dense("W1", "b1", 784, 256), Layer.Relu.INSTANCE,
            new Layer.Dense("W2", "b2", 256, 10))),
    /**
     * A LeNet-style convolutional net with ReLU and max pooling (d2l's modern LeNet): two 5x5
     * convolutions (6 and 16 channels, the first padded to keep 28x28), each followed by 2x2 max
     * pooling, then dense layers 400-120-84-10.
     */
    CNN("cnn", List.of(
            new Layer.Conv("conv1.weight", "conv1.bias", 1, 6, 5, 2), Layer.Relu.INSTANCE, new Layer.MaxPool(2),
            new Layer.Conv("conv2.weight", "conv2.bias", 6, 16, 5, 0), Layer.Relu.INSTANCE, new Layer.MaxPool(2),
            Layer.Flatten.INSTANCE,
            new Layer.Dense("fc1.weight", "fc1.bias", 400, 120), Layer.Relu.INSTANCE,
            new Layer.Dense("fc2.weight", "fc2.bias", 120, 84), Layer.Relu.INSTANCE,
            new Layer.Dense("fc3.weight", "fc3.bias", 84, 10)));

    /** Prefix of every model name: the family {@code cnn} publishes {@code fmnist-cnn}. */
    public static final String MODEL_NAME_PREFIX = "fmnist-";

    private final String id;
    private final Architecture architecture;

    ModelFamily(String id, List<Layer> layers) {
        this.id = id;
        this.architecture = new Architecture(this, layers);
    }

    /** The family's name on the wire, in configuration and on the command line. */
    public String id() {
        return id;
    }

    /** The name its models are published and served under. */
    public String modelName() {
        return MODEL_NAME_PREFIX + id;
    }

    /** The layers this family trains and scores. */
    public Architecture architecture() {
        return architecture;
    }

    /**
     * Parses a family by its id ({@code cnn}) or its model name ({@code fmnist-cnn}), case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ModelFamily parse(String text) {
        if (text != null) {
            String t = text.strip().toLowerCase(Locale.ROOT);
            for (ModelFamily f : values()) {
                if (f.id.equals(t) || f.modelName().equals(t)) {
                    return f;
                }
            }
        }
        throw new IllegalArgumentException("unknown model family '" + text + "': give one of "
                + Arrays.stream(values()).map(ModelFamily::id).toList());
    }
}
