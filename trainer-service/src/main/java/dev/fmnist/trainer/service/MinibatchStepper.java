package dev.fmnist.trainer.service;

import dev.fmnist.trainer.model.SampleStore;
import dev.fmnist.trainer.model.SoftmaxRegression;
import java.nio.ByteBuffer;

/**
 * One SGD step on a minibatch taken from a {@link SampleStore}, the same for the epoch loop and
 * continuous mode: copies the samples (in a given visiting order) into the reused direct input
 * buffer, steps the model, counts the model's steps and adds the step's loss and hits to running
 * totals. Not thread-safe: the training thread owns it.
 */
final class MinibatchStepper {
    private final SoftmaxRegression model;
    private final int batchSize;
    private final float learningRate;
    private final Trainer.Listener listener;
    private final ByteBuffer x;
    private final int[] y;
    private long steps;

    /** Running sums over a period (an epoch, a snapshot period): the train figures of a snapshot. */
    static final class Totals {
        private double lossSum;
        private long correct;
        private long samples;

        void add(SoftmaxRegression.StepResult r) {
            lossSum += r.lossSum();
            correct += r.correct();
            samples += r.count();
        }

        long samples() {
            return samples;
        }

        /** Mean cross-entropy per sample (NaN before any sample). */
        double meanLoss() {
            return lossSum / samples;
        }

        /** Fraction predicted right before each step's update (NaN before any sample). */
        double accuracy() {
            return (double) correct / samples;
        }

        void clear() {
            lossSum = 0;
            correct = 0;
            samples = 0;
        }
    }

    /**
     * @param stepsSoFar the model's SGD steps before this run (from the snapshot resumed)
     * @param listener   told of every step (global step number, samples, nanoseconds)
     */
    MinibatchStepper(SoftmaxRegression model, int batchSize, double learningRate, long stepsSoFar,
                     Trainer.Listener listener) {
        this.model = model;
        this.batchSize = batchSize;
        this.learningRate = (float) learningRate;
        this.listener = listener;
        this.steps = stepsSoFar;
        this.x = SoftmaxRegression.directBuffer(batchSize * model.inputs());
        this.y = new int[batchSize];
    }

    /** The model's SGD steps so far. */
    long steps() {
        return steps;
    }

    /**
     * One step on the next minibatch: up to {@code batchSize} samples starting at position
     * {@code from} of the visiting order ({@code order[from..]}, or the store's own order when
     * {@code order} is null). Returns how many samples it took.
     */
    int step(SampleStore store, int[] order, int from, Totals totals) {
        int n = Math.min(batchSize, (order == null ? store.count() : order.length) - from);
        x.clear();
        for (int i = 0; i < n; i++) {
            int sample = order == null ? from + i : order[from + i];
            store.copyPixels(sample, x);
            y[i] = store.label(sample);
        }
        x.flip();
        long start = System.nanoTime();
        SoftmaxRegression.StepResult r = model.stepPixels(x, y, n, learningRate);
        long took = System.nanoTime() - start;
        steps++;
        totals.add(r);
        listener.step(steps, n, took);
        return n;
    }
}
