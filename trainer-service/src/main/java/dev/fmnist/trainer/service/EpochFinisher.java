package dev.fmnist.trainer.service;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The trainer's second thread: runs the end of an epoch (test-set refresh, evaluation, snapshot, report)
 * while the training thread goes on with the next epoch's steps, so on two cores an epoch costs the run
 * only its read, shuffle and steps. Its rules: one task at a time, in submission order (snapshots are
 * published in version order), and at most one in flight: a submission first waits for the task before
 * it, so a task's failure reaches the training thread at its next submission, its next {@link #await()}
 * or {@link #close()}, and the training thread is never more than one epoch ahead of what is published.
 *
 * <p>A task answers true when done and false when it stopped (the run's stop signal); the submission after
 * a stopped task starts nothing and answers false, so the training thread stops too. Not thread-safe: the
 * training thread owns an instance.
 */
final class EpochFinisher implements AutoCloseable {
    /** Longest wait in {@link #close()} for a task to end: beyond two Kafka timeouts of 30 s. */
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private final HelperThread thread = new HelperThread("trainer-epoch-finisher", LIMIT);
    private Future<Boolean> pending;

    /**
     * Starts {@code task} once the task in flight is done.
     *
     * @return false, with nothing started, when the task in flight stopped
     * @throws RuntimeException the failure of the task in flight, as it was thrown
     */
    boolean submit(Callable<Boolean> task) {
        if (!await()) {
            return false;
        }
        pending = thread.submit(task);
        return true;
    }

    /**
     * Waits for the task in flight, if any.
     *
     * @return false when it stopped, true when it was done or there was none
     * @throws RuntimeException its failure, as it was thrown (a Kafka outage stays recognisable to
     *                          {@link SelfHealingRun}, a fencing to the trainer)
     */
    boolean await() {
        Future<Boolean> task = pending;
        if (task == null) {
            return true;
        }
        pending = null;
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("the end of an epoch failed: " + cause, cause);
        } catch (InterruptedException e) {
            // not cancelled: the task holds the test-set consumer and the snapshot transaction, which the
            // caller closes after this; close() waits for it
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the end of an epoch was published", e);
        }
    }

    /**
     * Waits for the task in flight (rethrowing its failure), then ends the thread; returns only once the
     * thread has ended, so what the task used can be closed after this (each of its Kafka calls is bounded by
     * the run's Kafka timeout; {@link #LIMIT} bounds the wait even so).
     */
    @Override
    public void close() {
        try {
            await();
        } finally {
            thread.end();
        }
    }
}
