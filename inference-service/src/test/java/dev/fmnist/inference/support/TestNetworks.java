package dev.fmnist.inference.support;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.contracts.model.TensorShape;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded random networks of any family (valid, untrained) and snapshots of them, for tests. */
public final class TestNetworks {
    private TestNetworks() {
    }

    /**
     * Every weight of {@code family}'s architecture drawn with this seed from N(0, 2 / fan-in) (He's
     * initialisation, so a deep net's probabilities are varied, not saturated), every bias from N(0, 0.01).
     */
    public static Network random(ModelFamily family, long seed) {
        Random rnd = new Random(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (TensorShape t : family.architecture().parameters()) {
            int[] dims = t.dims();
            // dense W is in x out, conv W is out x in x k x k
            int fanIn = dims.length == 4 ? t.size() / dims[0] : dims.length == 2 ? dims[0] : 0;
            double scale = fanIn == 0 ? 0.1 : Math.sqrt(2.0 / fanIn);
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * scale);
            }
            tensors.put(t.name(), v);
        }
        return new Network(family.architecture(), tensors);
    }

    /** A snapshot of {@code network} published as {@code model} version {@code version}. */
    public static WeightSnapshot snapshot(String model, long version, Network network, Instant createdAt) {
        return new WeightSnapshot(model, version, 1, version * 100L, network,
                new WeightSnapshot.Hyperparameters(0.1, 256, 42), WeightSnapshot.Metrics.UNMEASURED,
                List.of(new WeightSnapshot.SourceOffset("fmnist.train", 0, 60_000L)), createdAt,
                WeightSnapshot.Plan.NONE);
    }
}
