package dev.fmnist.contracts.model;

import dev.fmnist.contracts.FashionMnist;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A model's descriptor: its family and its layers, from the input image to the ten class logits
 * (softmax is applied by every scorer, not listed). The input is one {@link #INPUT_LAYOUT} image:
 * {@code 1 x 28 x 28} pixels, row-major, each the raw byte 0-255 divided by 255 (d2l's ToTensor).
 *
 * <p>Construction checks that each layer fits the previous one's output, that the last one gives
 * {@value FashionMnist#CLASSES} values, that parameter names are unique, and bounds the parameters and
 * the work of scoring one image, so a descriptor read from the wire cannot ask for unbounded memory or
 * time.
 */
public record Architecture(ModelFamily family, List<Layer> layers) {
    /** The input every family takes, as a descriptor states it. */
    public static final String INPUT_LAYOUT = "uint8 1x28x28 row-major, scaled by 1/255";
    static final int[] INPUT_SHAPE = {1, FashionMnist.ROWS, FashionMnist.COLS};
    /** Most parameters a model may have: 1 MB of float32, a bound for descriptors read from the wire (a record must also fit {@code WeightSnapshotCodec.MAX_RECORD_BYTES}). */
    public static final int MAX_PARAMETERS = 250_000;
    /** Most multiply-adds to score one image: a bound on what a descriptor can make a scorer do. */
    public static final long MAX_MULTIPLY_ADDS = 20_000_000L;
    /** Most layers. */
    public static final int MAX_LAYERS = 32;

    public Architecture {
        Objects.requireNonNull(family, "family");
        layers = List.copyOf(Objects.requireNonNull(layers, "layers"));
        if (layers.isEmpty() || layers.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("an architecture has 1 to " + MAX_LAYERS + " layers, got " + layers.size());
        }
        int[] shape = INPUT_SHAPE;
        long params = 0;
        long work = 0;
        Set<String> names = new HashSet<>();
        for (Layer layer : layers) {
            work += layer.multiplyAdds(shape);
            shape = layer.outputShape(shape);
            for (TensorShape t : layer.parameters()) {
                if (!names.add(t.name())) {
                    throw new IllegalArgumentException("parameter name '" + t.name() + "' is used twice");
                }
                params += t.size();
            }
        }
        if (shape.length != 1 || shape[0] != FashionMnist.CLASSES) {
            throw new IllegalArgumentException("the last layer gives " + TensorShape.describe(shape) + ", expected ["
                    + FashionMnist.CLASSES + "] class logits");
        }
        if (params > MAX_PARAMETERS) {
            throw new IllegalArgumentException(params + " parameters exceed the limit of " + MAX_PARAMETERS);
        }
        if (work > MAX_MULTIPLY_ADDS) {
            throw new IllegalArgumentException(work + " multiply-adds per image exceed the limit of " + MAX_MULTIPLY_ADDS);
        }
    }

    /** The parameter tensors in layer order: the order they are stored, signed and exported in. */
    public List<TensorShape> parameters() {
        List<TensorShape> out = new ArrayList<>();
        for (Layer l : layers) {
            out.addAll(l.parameters());
        }
        return out;
    }

    /** Total parameter count. */
    public int parameterCount() {
        return parameters().stream().mapToInt(TensorShape::size).sum();
    }

    /** Multiply-adds to score one image. */
    public long multiplyAdds() {
        int[] shape = INPUT_SHAPE;
        long work = 0;
        for (Layer layer : layers) {
            work += layer.multiplyAdds(shape);
            shape = layer.outputShape(shape);
        }
        return work;
    }

    /** The shape each layer receives, {@code [i]} for layer i, then the logits' shape. */
    public List<int[]> shapes() {
        List<int[]> out = new ArrayList<>();
        int[] shape = INPUT_SHAPE;
        out.add(shape.clone());
        for (Layer layer : layers) {
            shape = layer.outputShape(shape);
            out.add(shape);
        }
        return out;
    }

    static void requireName(String name) {
        if (name == null || name.isEmpty() || name.length() > 64 || !name.matches("[A-Za-z0-9_.]+")) {
            throw new IllegalArgumentException("parameter name '" + name + "' must be 1-64 of [A-Za-z0-9_.]");
        }
    }

    static void requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is not in " + min + ".." + max);
        }
    }
}
