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
 * @param timings      where the epoch's time went
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
     * Where an epoch's time went, in seconds. The training thread reads, shuffles and steps, then waits
     * for the previous epoch's end to be published ({@code await}); the test-set refresh and evaluation
     * ({@code evaluate}) and the snapshot ({@code publish}) then run either on the trainer's finisher
     * thread beside the next epoch's steps ({@code background}: they cost the run no time of their own),
     * or, for a run's last epoch, on the training thread. {@code decode} is the part of {@code read} spent
     * decoding and copying records.
     */
    public record Timings(double read, double decode, double shuffle, double train, double await, double evaluate,
                          double publish, boolean background) {
        /**
         * The epoch's share of the run's wall time: what the training thread spent on it, so the epochs'
         * totals add up to the run's time (an epoch's background evaluation and publication overlap the
         * next epoch's steps, and any wait for them is that next epoch's {@code await}).
         */
        public double total() {
            return read + shuffle + train + await + (background ? 0 : evaluate + publish);
        }
    }

    /** The phases of an epoch, in the order they run. */
    enum Phase { READ, SHUFFLE, TRAIN, AWAIT, EVALUATE, PUBLISH }

    /**
     * Measures an epoch's consecutive phases: each {@link #end} closes the named phase. The training
     * thread hands it to the finisher thread, which closes the last two phases (the hand-off through an
     * executor orders the two threads' writes).
     */
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

        Timings timings(long decodeNanos, boolean background) {
            return new Timings(seconds(Phase.READ), decodeNanos / 1e9, seconds(Phase.SHUFFLE), seconds(Phase.TRAIN),
                    seconds(Phase.AWAIT), seconds(Phase.EVALUATE), seconds(Phase.PUBLISH), background);
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

    /** The epoch's share of the run's wall time ({@link Timings#total()}). */
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
