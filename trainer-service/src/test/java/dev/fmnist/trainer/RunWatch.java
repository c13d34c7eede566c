package dev.fmnist.trainer;

import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.Trainer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * What the trainer ITs watch of a run: the epochs reported, the states entered ({@code "STATE: detail"}), the
 * data found missing and the last step. ITs that stop a run in the middle of an epoch stop by step number, not
 * by report: an epoch's report comes from the finisher thread while the next epoch already steps. A test with
 * a step hook of its own overrides {@link #step} and calls {@code super.step} first.
 */
class RunWatch implements Trainer.Listener {
    final List<EpochSummary> epochs = new CopyOnWriteArrayList<>();
    final List<String> states = new CopyOnWriteArrayList<>();
    volatile List<String> missing;
    private final AtomicLong lastStep = new AtomicLong();

    @Override
    public void epoch(EpochSummary summary) {
        epochs.add(summary);
    }

    @Override
    public void state(Trainer.State state, String detail) {
        states.add(state + ": " + detail);
    }

    @Override
    public void dataMissing(List<String> list) {
        missing = list;
    }

    @Override
    public void step(long step, int samples, long nanos) {
        lastStep.set(step);
    }

    /** A stop signal that turns true once the run has taken its step number {@code step} (global count). */
    BooleanSupplier stopAfterStep(long step) {
        return () -> lastStep.get() >= step;
    }
}
