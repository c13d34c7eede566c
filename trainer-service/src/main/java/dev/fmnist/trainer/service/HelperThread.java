package dev.fmnist.trainer.service;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One named daemon thread that runs a training run's side work in submission order (the minibatch
 * filler, the epoch finisher), and the one rule for ending it: a task in progress is never cancelled (it
 * may be writing native memory or inside a Kafka transaction that its owner frees or closes next), so
 * {@link #end()} lets it finish and waits for the thread, without giving up on an interrupt, up to a limit.
 */
final class HelperThread {
    private final ExecutorService executor;
    private final Duration limit;

    /** @param limit the longest {@link #end()} waits for a task in progress */
    HelperThread(String name, Duration limit) {
        this.limit = limit;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    <T> Future<T> submit(Callable<T> task) {
        return executor.submit(task);
    }

    Future<?> submit(Runnable task) {
        return executor.submit(task);
    }

    /**
     * Starts no new task, lets the one in progress (and any queued) finish and waits for the thread to end.
     * An interrupt meanwhile is kept for the caller, not obeyed.
     *
     * @return whether the thread ended within the limit (if not, what its task uses must not be freed)
     */
    boolean end() {
        executor.shutdown();
        boolean interrupted = false;
        long deadline = System.nanoTime() + limit.toNanos();
        while (!executor.isTerminated() && System.nanoTime() < deadline) {
            try {
                executor.awaitTermination(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return executor.isTerminated();
    }
}
