package dev.fmnist.trainer.service;

import dev.fmnist.support.kafka.KafkaOutage;
import dev.fmnist.trainer.messaging.FencedException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs a {@link Trainer} and, when it fails on a Kafka outage ({@link #isTransient}: the services' rule,
 * {@link KafkaOutage}, and never when fenced), starts a fresh one after {@link KafkaOutage#backoff}, for
 * as long as the outage lasts. A fresh trainer fences the
 * failed one's producer, settles its open transaction and resumes from the highest committed
 * snapshot, so a retry never repeats or skips a version; at most the epoch in progress is redone, and
 * the one before it if its snapshot was still in flight on the finisher thread (the same numbers:
 * shuffles are seeded per epoch). Any other failure ends the run: the caller
 * reports FAILED with the reason. The loop is ours, not a fault-tolerance guard: a stop request must end
 * the wait at once, and each retry builds a fresh trainer.
 */
public final class SelfHealingRun {
    private static final Logger LOG = Logger.getLogger(SelfHealingRun.class);

    private final Supplier<Trainer> trainers;
    private final Trainer.Listener listener;

    public SelfHealingRun(Supplier<Trainer> trainers, Trainer.Listener listener) {
        this.trainers = trainers;
        this.listener = listener;
    }

    /**
     * The services' outage rule, except that a fencing anywhere in the failure (a cause, or suppressed by
     * one) is never retried: another trainer owns the model now.
     */
    static boolean isTransient(Throwable failure) {
        return FencedException.in(failure).isEmpty() && KafkaOutage.isTransient(failure);
    }

    public Trainer.Result run(BooleanSupplier stop) {
        for (int attempt = 1; ; attempt++) {
            try {
                return trainers.get().run(stop);
            } catch (RuntimeException e) {
                if (!isTransient(e)) {
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
