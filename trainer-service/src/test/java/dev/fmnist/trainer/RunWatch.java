package dev.fmnist.trainer;

import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.Trainer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * What the ITs that stop a run in the middle of an epoch watch: the epochs reported and the last step.
 * They stop by step number, not by report: an epoch's report comes from the finisher thread while the
 * next epoch already steps.
 */
final class RunWatch implements Trainer.Listener {
    final List<EpochSummary> epochs = new CopyOnWriteArrayList<>();
    private final AtomicLong lastStep = new AtomicLong();

    @Override
    public void epoch(EpochSummary summary) {
        epochs.add(summary);
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
