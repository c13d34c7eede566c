package dev.fmnist.contracts.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A parameter tensor's name and dimensions (row-major). */
public record TensorShape(String name, int... dims) {
    public TensorShape {
        Architecture.requireName(name);
        dims = dims.clone();
    }

    /** Number of values. */
    public int size() {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorShape t && t.name.equals(name) && Arrays.equals(t.dims, dims);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return name + describe(dims);
    }

    static String describe(int[] dims) {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x", "[", "]"));
    }
}
