package dev.fmnist.trainer.service;

import dev.fmnist.trainer.messaging.FencedException;
import java.time.Duration;

/**
 * The trainer's self-healing rule: the services' outage rule ({@link dev.fmnist.support.kafka.KafkaOutage}),
 * except that a fenced trainer is never retried: another trainer owns the model now.
 */
final class KafkaOutage {
    private KafkaOutage() {
    }

    static boolean isTransient(Throwable failure) {
        return FencedException.in(failure).isEmpty() && dev.fmnist.support.kafka.KafkaOutage.isTransient(failure);
    }

    /** The wait before retry number {@code attempt} (1-based): doubling from 1 s, at most 30 s. */
    static Duration backoff(int attempt) {
        return dev.fmnist.support.kafka.KafkaOutage.backoff(attempt);
    }
}
