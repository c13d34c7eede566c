package dev.fmnist.inference.export;

import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.Architecture;
import dev.fmnist.contracts.model.Layer;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.model.Network;
import dev.fmnist.inference.support.SoftmaxFit;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Networks of every family for the export tests, seeded so every run exports the same bytes. */
final class ExportTestModels {
    private ExportTestModels() {
    }

    /**
     * Seeded random parameters for any architecture: weights He-initialised (N(0, 2 / fan-in), so
     * activations neither vanish nor blow up through the layers), biases N(0, 0.1), so a bias that
     * the export dropped or misplaced changes the output.
     */
    static Network random(ModelFamily family, long seed) {
        Random r = new Random(seed);
        Architecture a = family.architecture();
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Layer l : a.layers()) {
            if (l instanceof Layer.Dense d) {
                tensors.put(d.weight(), gaussian(r, d.in() * d.out(), Math.sqrt(2.0 / d.in())));
                tensors.put(d.bias(), gaussian(r, d.out(), 0.1));
            } else if (l instanceof Layer.Conv c) {
                int fanIn = c.inChannels() * c.kernel() * c.kernel();
                tensors.put(c.weight(), gaussian(r, c.outChannels() * fanIn, Math.sqrt(2.0 / fanIn)));
                tensors.put(c.bias(), gaussian(r, c.outChannels(), 0.1));
            }
        }
        return new Network(a, tensors);
    }

    /** The fitted softmax regression as a network. */
    static Network softmax(SoftmaxFit.Fit fit) {
        return Network.softmax(fit.w().clone(), fit.b().clone());
    }

    /**
     * An MLP (784-256-10, ReLU) that classifies as well as a fitted softmax regression, so its accuracy
     * means something without a trainer here: hidden units 0-9 carry the softmax logits z and units
     * 10-19 carry -z, and relu(z) - relu(-z) = z puts them back together in the output layer, so about
     * half of those units are cut by the ReLU on every image. The other 236 units are random and add
     * a little noise to the logits through small output weights.
     */
    static Network mlp(SoftmaxFit.Fit fit, long seed) {
        Random r = new Random(seed);
        int in = 784;
        int hidden = 256;
        int out = 10;
        float[] w1 = gaussian(r, in * hidden, Math.sqrt(2.0 / in));
        float[] b1 = new float[hidden];
        float[] w2 = gaussian(r, hidden * out, 0.01);
        float[] b2 = new float[out];
        for (int j = 0; j < out; j++) {
            for (int i = 0; i < in; i++) {
                w1[i * hidden + j] = fit.w()[i * out + j];
                w1[i * hidden + out + j] = -fit.w()[i * out + j];
            }
            b1[j] = fit.b()[j];
            b1[out + j] = -fit.b()[j];
            for (int k = 0; k < out; k++) {
                w2[j * out + k] = j == k ? 1 : 0;
                w2[(out + j) * out + k] = j == k ? -1 : 0;
            }
        }
        return new Network(ModelFamily.MLP.architecture(), Map.of("W1", w1, "b1", b1, "W2", w2, "b2", b2));
    }

    static WeightSnapshot snapshot(Network network, long version) {
        return new WeightSnapshot(network.family().modelName(), version, 10, 2350, network,
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), new WeightSnapshot.Metrics(0.4472, 0.848, 0.8273),
                List.of(new WeightSnapshot.SourceOffset(Topics.TRAIN, 0, 235)), Instant.ofEpochMilli(1_767_225_600_123L),
                new WeightSnapshot.Plan(10));
    }

    private static float[] gaussian(Random r, int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * sigma);
        }
        return v;
    }
}
