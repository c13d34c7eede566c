package dev.fmnist.trainer.messaging;

import java.time.Duration;

/**
 * The train and test topics as this process holds them: one reader each, opened on first use and kept
 * for the life of the process, so a second run (after uploads, after a stop) reads only what was appended
 * since the first instead of decoding the whole topic again into fresh buffers beside the old ones. The
 * topics are append-only and kept forever, so what was read stays valid. A trainer without one (tests,
 * the benchmark) opens its own for the run.
 */
public final class TrainingData implements AutoCloseable {
    private final KafkaClients clients;
    private final int imageSize;
    private final Duration timeout;
    private final Duration pollTimeout;
    private EpochSource train;
    private TestSet test;

    public TrainingData(KafkaClients clients, int imageSize, Duration timeout, Duration pollTimeout) {
        this.clients = clients;
        this.imageSize = imageSize;
        this.timeout = timeout;
        this.pollTimeout = pollTimeout;
    }

    /** The labelled images of the train topic (splits train and user). */
    public synchronized EpochSource train() {
        if (train == null) {
            train = new EpochSource(clients, imageSize, timeout, pollTimeout);
        }
        return train;
    }

    /** The labelled images of the test topic. */
    public synchronized TestSet test() {
        if (test == null) {
            test = new TestSet(clients, imageSize, timeout, pollTimeout);
        }
        return test;
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
