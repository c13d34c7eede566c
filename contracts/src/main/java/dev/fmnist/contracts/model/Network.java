package dev.fmnist.contracts.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's parameters: an {@link Architecture} and one float32 tensor per parameter it declares,
 * each of the declared size, every value finite. The arrays are owned by this object: callers copy
 * before they write ({@link #copy()}).
 */
public final class Network {
    private final Architecture architecture;
    private final Map<String, float[]> tensors;

    /**
     * @param tensors by parameter name; exactly the architecture's parameters
     * @throws IllegalArgumentException naming the first missing, extra, misshapen or non-finite tensor
     */
    public Network(Architecture architecture, Map<String, float[]> tensors) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, float[]> ordered = new LinkedHashMap<>();
        for (TensorShape t : architecture.parameters()) {
            float[] v = tensors.get(t.name());
            if (v == null) {
                throw new IllegalArgumentException("tensor " + t.name() + " is missing");
            }
            if (v.length != t.size()) {
                throw new IllegalArgumentException("tensor " + t + " has " + v.length + " values, expected " + t.size());
            }
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new IllegalArgumentException("tensor " + t.name() + position(t.dims(), i) + " is " + v[i]);
                }
            }
            ordered.put(t.name(), v);
        }
        if (tensors.size() != ordered.size()) {
            var extra = tensors.keySet().stream().filter(k -> !ordered.containsKey(k)).sorted().toList();
            throw new IllegalArgumentException("tensors " + extra + " are not parameters of " + architecture.family().id());
        }
        this.tensors = Collections.unmodifiableMap(ordered);
    }

    /** A flat row-major index as one subscript per dimension: [3][7] for 37 in a 784x10 tensor. */
    private static String position(int[] dims, int flat) {
        StringBuilder sb = new StringBuilder();
        int rest = flat;
        for (int d = dims.length - 1; d >= 0; d--) {
            sb.insert(0, "[" + rest % dims[d] + "]");
            rest /= dims[d];
        }
        return sb.toString();
    }

    /** The seed's softmax regression: W 784x10 row-major and b 10. */
    public static Network softmax(float[] weights, float[] bias) {
        return new Network(ModelFamily.SOFTMAX.architecture(), Map.of("W", weights, "b", bias));
    }

    public Architecture architecture() {
        return architecture;
    }

    public ModelFamily family() {
        return architecture.family();
    }

    /** The tensor of that name (not a copy: do not write to it). */
    public float[] tensor(String name) {
        float[] v = tensors.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no tensor " + name + " in " + architecture.family().id()
                    + "; it has " + tensors.keySet());
        }
        return v;
    }

    /** Tensors in the architecture's parameter order (the arrays themselves: do not write to them). */
    public Map<String, float[]> tensors() {
        return tensors;
    }

    /** The shapes, in the order of {@link #tensors()}. */
    public List<TensorShape> shapes() {
        return architecture.parameters();
    }

    /** A deep copy, safe to write to or to keep while the original changes. */
    public Network copy() {
        Map<String, float[]> c = new LinkedHashMap<>();
        tensors.forEach((k, v) -> c.put(k, v.clone()));
        return new Network(architecture, c);
    }
}
