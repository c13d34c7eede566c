package dev.fmnist.trainer.service;

import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.trainer.model.Minibatch;
import dev.fmnist.trainer.model.Models;
import dev.fmnist.trainer.model.SampleStore;
import dev.fmnist.trainer.model.StepResult;
import dev.fmnist.trainer.model.TrainableModel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * One SGD step on a minibatch taken from a {@link SampleStore}, the same for the epoch loop and
 * continuous mode: fills a {@link Minibatch} with the samples (in a given visiting order), steps the
 * model, counts the model's steps and adds the step's loss and hits to running totals. A step whose loss
 * is not finite ends the run ({@link TrainingDivergedException}).
 *
 * <p>While the model steps on one minibatch, the next one of the same visiting order is filled on a
 * helper thread into the second of two buffers, so the training thread goes from one native step to
 * the next. The store and the order must not change while a step's caller goes on with the same
 * store and order; a step that asks for something else waits for the helper and fills by itself.
 * Not thread-safe otherwise: the training thread owns it, and {@link #close()} ends the helper.
 */
final class MinibatchStepper implements AutoCloseable {
    private final TrainableModel model;
    private final int batchSize;
    private float learningRate;
    private final Trainer.Listener listener;
    private final Minibatch[] buffers = new Minibatch[2];
    private final HelperThread filler;
    private long steps;
    /** The minibatch being filled on the helper thread, if any. */
    private Prefetch next;

    private record Prefetch(SampleStore store, int[] order, int from, int buffer, Future<?> done) {
    }

    /** Running sums over a period (an epoch, a snapshot period): the train figures of a snapshot. */
    static final class Totals {
        private double lossSum;
        private long correct;
        private long samples;

        void add(StepResult r) {
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
    MinibatchStepper(TrainableModel model, int batchSize, double learningRate, long stepsSoFar,
                     Trainer.Listener listener) {
        this.model = model;
        this.batchSize = batchSize;
        this.learningRate = (float) learningRate;
        this.listener = listener;
        this.steps = stepsSoFar;
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = new Minibatch(batchSize, model.inputs());
        }
        this.filler = new HelperThread("trainer-minibatch-filler", Duration.ofSeconds(10));
    }

    /**
     * Runs the step path (fill on the helper thread, step, accumulate) {@code steps} times on a scratch
     * model and zero images, so that the JIT compiles that path and libtorch sets up its kernels before
     * the first epoch, which would otherwise take two to three times as long as the others. It runs on
     * the caller's thread (the training thread): libtorch's memory then comes from the same malloc arena
     * as the training's, and is reused there. The run's model is not touched.
     */
    static void warmUp(ModelFamily family, int batchSize, int steps) {
        int inputs = WeightSnapshot.INPUTS;
        int outputs = WeightSnapshot.OUTPUTS;
        // two minibatches of the run's size: the engine's kernels are set up per shape
        int half = batchSize;
        SampleStore zeros = new SampleStore(inputs, 2 * half);
        byte[] image = new byte[inputs];
        int[] order = new int[2 * half];
        for (int i = 0; i < order.length; i++) {
            zeros.add(image, 0, i % outputs);
            order[i] = i;
        }
        Totals totals = new Totals();
        try (TrainableModel scratch = Models.initialize(family, 0);
             MinibatchStepper stepper = new MinibatchStepper(scratch, half, 0.1, 0, new Trainer.Listener() {
             })) {
            for (int s = 0; s < steps; s += 2) {
                stepper.step(zeros, order, 0, totals); // the first minibatch, preparing the second meanwhile
                stepper.step(zeros, order, half, totals);
            }
        }
    }

    /** The learning rate of the next steps (a schedule's rate of the moment). */
    void rate(float rate) {
        learningRate = rate;
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
        int total = order == null ? store.count() : order.length;
        int n = Math.min(batchSize, total - from);
        Minibatch batch = take(store, order, from, n);
        int after = from + n;
        if (after < total) {
            int other = batch == buffers[0] ? 1 : 0;
            int m = Math.min(batchSize, total - after);
            next = new Prefetch(store, order, after, other,
                    filler.submit(() -> buffers[other].fill(store, order, after, m)));
        }
        long start = System.nanoTime();
        StepResult r = model.step(batch, learningRate);
        long took = System.nanoTime() - start;
        steps++;
        if (!Double.isFinite(r.lossSum())) {
            throw new TrainingDivergedException("training diverged at step " + steps + " (learning rate "
                    + learningRate + "): the loss of a minibatch is " + r.lossSum() + ", so the weights are or are about"
                    + " to be non-finite; the run stops without publishing them (try a smaller learningRate)");
        }
        totals.add(r);
        listener.step(steps, n, took);
        return n;
    }

    /** The filled minibatch for {@code order[from..from+n)}: the helper's if it prepared that one. */
    private Minibatch take(SampleStore store, int[] order, int from, int n) {
        Prefetch p = next;
        next = null;
        if (p != null) {
            await(p.done());
            Minibatch ready = buffers[p.buffer()];
            if (p.store() == store && p.order() == order && p.from() == from && ready.count() == n) {
                return ready;
            }
        }
        buffers[0].fill(store, order, from, n);
        return buffers[0];
    }

    private static void await(Future<?> done) {
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a minibatch was being filled", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("filling a minibatch failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Waits for a minibatch still being filled (so neither the store nor a buffer is touched any more),
     * ends the helper and frees the buffers.
     */
    @Override
    public void close() {
        next = null;
        // a fill in progress writes into a buffer's native memory: the buffers are freed only once it has ended
        if (filler.end()) {
            for (Minibatch b : buffers) {
                b.close();
            }
        } // else the buffers are left to the process rather than freed under a running fill
    }
}
