package dev.fmnist.contracts.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Seeded random networks of any architecture, for tests. */
public final class Networks {
    private Networks() {
    }

    /** Weights ~ N(0, scale^2 / fan-in-ish), biases small: logits of a sensible size for every family. */
    public static Network random(Architecture architecture, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (TensorShape t : architecture.parameters()) {
            int[] dims = t.dims();
            int fanIn = dims.length == 1 ? 1 : dims.length == 2 ? dims[0] : t.size() / dims[0];
            double std = dims.length == 1 ? 0.05 : Math.sqrt(2.0 / fanIn);
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * std);
            }
            tensors.put(t.name(), v);
        }
        return new Network(architecture, tensors);
    }

    /** A seeded random image: about half background, as Fashion-MNIST. */
    public static byte[] image(Random r) {
        byte[] px = new byte[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextBoolean() ? 0 : (byte) r.nextInt(256);
        }
        return px;
    }
}
