package dev.fmnist.trainer.messaging;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Decides when the datasets are there to train on, so a trainer started before (or while) ingest
 * publishes waits instead of training on half a dataset: each check brings the train and test mirrors
 * up to date (they decode only what was appended, and what they read is what the epochs train on) and
 * applies {@link ReadinessRule} to what they have shown it. Waiting is bounded: once {@code deadline}
 * has passed since the first check, the data counts as ready with what is there, and {@link #missing()}
 * says what never came.
 */
public final class DatasetReadiness {
    private static final Logger LOG = Logger.getLogger(DatasetReadiness.class);

    private final TrainingData data;
    private final Duration deadline;
    private final long startNanos = System.nanoTime();
    private String lastReason = "not checked yet";
    private List<String> missing = List.of();

    /**
     * @param deadline how long to wait for incomplete datasets before training on what is there;
     *                 zero = no deadline (wait until complete)
     */
    public DatasetReadiness(TrainingData data, Duration deadline) {
        this.data = data;
        this.deadline = deadline;
    }

    /** Why the data is not ready (or "ready"), for the status endpoint and logs. */
    public String reason() {
        return lastReason;
    }

    /** The announced dataset splits that were incomplete when the data was declared ready (past the deadline). */
    public List<String> missing() {
        return missing;
    }

    /** One check: the mirrors read what is new (unusable records go to {@code deadLetters}), then the rule. */
    public boolean check(BooleanSupplier stop, BatchIntake.Rejects deadLetters) {
        if (data.train().refresh(stop, deadLetters) == null || data.test().refresh(stop, deadLetters) == null) {
            return false;
        }
        boolean pastDeadline = !deadline.isZero() && System.nanoTime() - startNanos >= deadline.toNanos();
        ReadinessRule.Verdict verdict = data.readiness().check(pastDeadline);
        if (!verdict.reason().equals(lastReason)) {
            if (verdict.ready() && !verdict.missing().isEmpty()) {
                LOG.warnf("training data incomplete after the %d s readiness deadline (fmnist.trainer.readiness.deadline):"
                        + " training on what is there; missing %s", deadline.toSeconds(), verdict.missing());
            } else {
                LOG.infof("training data: %s", verdict.reason());
            }
        }
        lastReason = verdict.reason();
        missing = verdict.ready() ? verdict.missing() : List.of();
        return verdict.ready();
    }
}
