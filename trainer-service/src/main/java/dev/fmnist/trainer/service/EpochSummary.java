package dev.fmnist.trainer.service;

import dev.fmnist.contracts.WeightSnapshot;
import java.util.function.LongSupplier;

/**
 * One finished epoch, as the status endpoint and the benchmark show it.
 *
 * @param epoch        1-based epoch number
 * @param modelVersion version of the snapshot published for this epoch
 * @param metrics      the figures of that snapshot: mean cross-entropy per sample over the epoch (before
 *                     each step's update), training accuracy during the epoch, accuracy over every
 *                     labelled image of the test topic after the epoch
 * @param counts       what the epoch trained and evaluated on
 * @param timings      where the epoch's wall time went
 */
public record EpochSummary(int epoch, long modelVersion, WeightSnapshot.Metrics metrics, Counts counts,
                           Timings timings) {

    /**
     * @param samples     labelled training images of the epoch after de-duplication
     * @param steps       SGD steps of the epoch
     * @param testSamples labelled test images evaluated
     */
    public record Counts(long samples, long steps, long testSamples) {
    }

    /**
     * Consecutive phases of an epoch, in seconds; {@code decode} is the part of {@code read} spent
     * decoding and copying records.
     */
    public record Timings(double read, double decode, double shuffle, double train, double evaluate, double publish) {
        /** Wall time of the whole epoch. */
        public double total() {
            return read + shuffle + train + evaluate + publish;
        }
    }

    /** The phases of an epoch, in the order they run. */
    enum Phase { READ, SHUFFLE, TRAIN, EVALUATE, PUBLISH }

    /** Measures an epoch's consecutive phases: each {@link #end} closes the named phase. */
    static final class Stopwatch {
        private final LongSupplier clock;
        private final long[] nanos = new long[Phase.values().length];
        private long mark;

        Stopwatch(LongSupplier clock) {
            this.clock = clock;
            this.mark = clock.getAsLong();
        }

        void end(Phase phase) {
            long now = clock.getAsLong();
            nanos[phase.ordinal()] += now - mark;
            mark = now;
        }

        Timings timings(long decodeNanos) {
            return new Timings(seconds(Phase.READ), decodeNanos / 1e9, seconds(Phase.SHUFFLE), seconds(Phase.TRAIN),
                    seconds(Phase.EVALUATE), seconds(Phase.PUBLISH));
        }

        private double seconds(Phase phase) {
            return nanos[phase.ordinal()] / 1e9;
        }
    }

    public double trainLoss() {
        return metrics.trainLoss();
    }

    public double trainAccuracy() {
        return metrics.trainAccuracy();
    }

    public double testAccuracy() {
        return metrics.testAccuracy();
    }

    /** Wall time of the whole epoch: read, shuffle, steps, evaluation, snapshot. */
    public double seconds() {
        return timings.total();
    }

    public long samples() {
        return counts.samples();
    }

    public long testSamples() {
        return counts.testSamples();
    }
}
