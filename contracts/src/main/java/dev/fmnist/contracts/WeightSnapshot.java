package dev.fmnist.contracts;

import dev.fmnist.contracts.model.Network;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A versioned copy of a model's weights (its architecture and named tensors), published on
 * {@link Topics#SNAPSHOTS} keyed by {@link #modelName()}. Wire layout: {@link WeightSnapshotCodec}.
 *
 * @param modelName model this snapshot belongs to (the compaction key)
 * @param version   strictly increasing per model, from 1
 * @param epoch     completed epochs when it was taken (the current epoch for a mid-epoch snapshot)
 * @param step      SGD steps taken since the run began
 * @param network   the architecture and its parameters (for the seed's softmax: W 784x10 and b)
 * @param lineage   per source partition, the next offset after the last record trained on
 * @param createdAt when the snapshot was taken
 * @param plan      the run the snapshot belongs to, so a restarted trainer can finish it
 */
public record WeightSnapshot(String modelName, long version, int epoch, long step, Network network,
                             Hyperparameters hyperparameters, Metrics metrics, List<SourceOffset> lineage,
                             Instant createdAt, Plan plan) {

    public static final int INPUTS = FashionMnist.PIXELS;
    public static final int OUTPUTS = FashionMnist.CLASSES;

    public WeightSnapshot {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(hyperparameters, "hyperparameters");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(plan, "plan");
        lineage = List.copyOf(Objects.requireNonNull(lineage, "lineage"));
    }

    /** A snapshot of the seed's softmax regression: W 784x10 row-major and b. */
    public WeightSnapshot(String modelName, long version, int epoch, long step, float[] weights, float[] bias,
                          Hyperparameters hyperparameters, Metrics metrics, List<SourceOffset> lineage,
                          Instant createdAt, Plan plan) {
        this(modelName, version, epoch, step, Network.softmax(weights, bias), hyperparameters, metrics, lineage,
                createdAt, plan);
    }

    /** A softmax-regression snapshot that belongs to no recorded plan (format version 1, tools, tests). */
    public WeightSnapshot(String modelName, long version, int epoch, long step, float[] weights, float[] bias,
                          Hyperparameters hyperparameters, Metrics metrics, List<SourceOffset> lineage,
                          Instant createdAt) {
        this(modelName, version, epoch, step, weights, bias, hyperparameters, metrics, lineage, createdAt, Plan.NONE);
    }

    /** The same snapshot under another plan. */
    public WeightSnapshot withPlan(Plan newPlan) {
        return new WeightSnapshot(modelName, version, epoch, step, network, hyperparameters, metrics, lineage,
                createdAt, newPlan);
    }

    /**
     * What the run that produced the snapshot was asked to do: the epoch count it brings the model
     * to (its learning rate, batch size and seed are in {@link #hyperparameters()}). A trainer that
     * restarts while {@code epoch < targetEpochs} finishes that run instead of its configured one.
     *
     * @param targetEpochs total epochs of the run; 0 = no plan recorded
     */
    public record Plan(int targetEpochs) {
        public static final Plan NONE = new Plan(0);

        public Plan {
            if (targetEpochs < 0) {
                throw new IllegalArgumentException("targetEpochs must be >= 0, got " + targetEpochs);
            }
        }

        public boolean unfinishedAt(int epoch) {
            return targetEpochs > epoch;
        }
    }

    /** The training settings the weights came from. */
    public record Hyperparameters(double learningRate, int batchSize, long seed) {
    }

    /**
     * Quality figures at snapshot time. NaN means "not measured" (a mid-epoch snapshot has no test
     * accuracy, for instance).
     */
    public record Metrics(double trainLoss, double trainAccuracy, double testAccuracy) {
        public static final Metrics UNMEASURED = new Metrics(Double.NaN, Double.NaN, Double.NaN);
    }

    /** Kafka position a snapshot was trained through: the next offset to read on that partition. */
    public record SourceOffset(String topic, int partition, long offset) {
    }
}
