package dev.fmnist.trainer.messaging;

import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.memory.ByteBudget;
import dev.fmnist.trainer.model.SampleStore;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * The train and test topics as this process holds them: one {@link TopicMirror} each, opened on first use
 * and kept for the life of the process, so a second run (after uploads, after a stop) reads only what was
 * appended since the first, and the readiness rule both mirrors feed. A trainer without one (tests, the
 * benchmark) opens its own for the run.
 */
public final class TrainingData implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TrainingData.class);
    /**
     * The share of the heap the train images may take: with serial collection the old generation is two
     * thirds of the heap, and the test set, the decoded batches in flight and the service itself need the
     * rest (docs/operations.md, JVM memory).
     */
    static final double HEAP_SHARE = 0.45;
    private final KafkaClients clients;
    private final int imageSize;
    private final Duration timeout;
    private final Duration pollTimeout;
    private final ReadinessRule readiness = new ReadinessRule();
    private TopicMirror train;
    private TopicMirror test;
    private String lastReason = "";

    public TrainingData(KafkaClients clients, int imageSize, Duration timeout, Duration pollTimeout) {
        this.clients = clients;
        this.imageSize = imageSize;
        this.timeout = timeout;
        this.pollTimeout = pollTimeout;
    }

    /** The labelled images of the train topic (splits train and user both train), bounded by {@link #HEAP_SHARE}. */
    public synchronized TopicMirror train() {
        if (train == null) {
            train = new TopicMirror(clients, Topics.TRAIN, Set.of(Split.TRAIN, Split.USER),
                    new SampleStore(imageSize, 60_000, ByteBudget.heapShare(HEAP_SHARE)), timeout, pollTimeout,
                    b -> readiness.observe(Topics.TRAIN, b));
        }
        return train;
    }

    /** The labelled images of the test topic. */
    public synchronized TopicMirror test() {
        if (test == null) {
            test = new TopicMirror(clients, Topics.TEST, Set.of(Split.TEST), new SampleStore(imageSize, 10_000),
                    timeout, pollTimeout, b -> readiness.observe(Topics.TEST, b));
        }
        return test;
    }

    /**
     * One check of the data-readiness rule, so a trainer started before (or while) ingest publishes waits
     * instead of training on half a dataset: both mirrors read what was appended (what they read is what
     * the epochs train on; unusable records go to {@code deadLetters}), then the rule decides on what they
     * showed it. Null when stopped first.
     *
     * @param pastDeadline the readiness deadline has passed: train on what is there
     */
    public ReadinessRule.Verdict ready(BooleanSupplier stop, BatchIntake.Rejects deadLetters, boolean pastDeadline) {
        if (train().refresh(stop, deadLetters) == null || test().refresh(stop, deadLetters) == null) {
            return null;
        }
        ReadinessRule.Verdict verdict = readiness.check(pastDeadline);
        synchronized (this) {
            if (!verdict.reason().equals(lastReason)) {
                LOG.infof("training data: %s", verdict.reason());
            }
            lastReason = verdict.reason();
        }
        return verdict;
    }

    @Override
    public synchronized void close() {
        if (train != null) {
            train.close();
            train = null;
        }
        if (test != null) {
            test.close();
            test = null;
        }
    }
}
