package dev.fmnist.trainer.service;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs a {@link Trainer} and, when it fails on a Kafka outage ({@link KafkaOutage#isTransient}),
 * starts a fresh one after a backoff, for as long as the outage lasts. A fresh trainer fences the
 * failed one's producer, settles its open transaction and resumes from the highest committed
 * snapshot, so a retry never repeats or skips a version; at most the epoch in progress is redone, and
 * the one before it if its snapshot was still in flight on the finisher thread (the same numbers:
 * shuffles are seeded per epoch). Any other failure ends the run: the caller
 * reports FAILED with the reason.
 */
public final class SelfHealingRun {
    private static final Logger LOG = Logger.getLogger(SelfHealingRun.class);

    private final Supplier<Trainer> trainers;
    private final Trainer.Listener listener;

    public SelfHealingRun(Supplier<Trainer> trainers, Trainer.Listener listener) {
        this.trainers = trainers;
        this.listener = listener;
    }

    public Trainer.Result run(BooleanSupplier stop) {
        for (int attempt = 1; ; attempt++) {
            try {
                return trainers.get().run(stop);
            } catch (RuntimeException e) {
                if (!KafkaOutage.isTransient(e)) {
                    throw e;
                }
                Duration wait = KafkaOutage.backoff(attempt);
                String reason = "Kafka unavailable (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); retry " + attempt + " in " + wait.toSeconds() + " s, resuming from the latest snapshot";
                LOG.warn(reason);
                listener.state(Trainer.State.WAITING_FOR_KAFKA, reason);
                if (!Trainer.sleep(wait, stop)) {
                    return new Trainer.Result(Trainer.State.STOPPED, 0, 0, 0, "stopped while waiting for Kafka");
                }
            }
        }
    }
}
