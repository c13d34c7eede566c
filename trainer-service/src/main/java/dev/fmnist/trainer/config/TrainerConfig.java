package dev.fmnist.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/** The trainer's settings, {@code fmnist.trainer.*}. */
@ConfigMapping(prefix = "fmnist.trainer")
public interface TrainerConfig {
    /**
     * The model families this trainer trains ({@code softmax}, {@code mlp}, {@code cnn}; a model name such as
     * {@code fmnist-cnn} is accepted too), one run after another at startup; the first is what a run started
     * over REST trains when its request names no {@code model}. Each family is its own model,
     * {@code fmnist-<family>}: snapshots, versions and resume are per model.
     */
    @WithDefault("softmax")
    List<String> models();

    /** Total epochs a run brings the model to (d2l: 10); epochs already done (resume) are not repeated. */
    @WithDefault("10")
    int epochs();

    /**
     * Learning rate of every family's runs; unset, each family's own default ({@code Recipe}: softmax and mlp
     * 0.1 as in d2l, cnn that of its recipe). A request's {@code learningRate} overrides both.
     */
    OptionalDouble learningRate();

    /** Minibatch size (d2l: 256), whatever the size of the ingested batches. */
    @WithDefault("256")
    int batchSize();

    /** Seeds W's initialisation and every epoch's shuffle: same seed and data, same run. */
    @WithDefault("0")
    long seed();

    /** Shuffle-buffer slots; 0 = the whole split, a full shuffle every epoch as in d2l. */
    @WithDefault("0")
    int shuffleBuffer();

    /** Start a run when the service starts (it waits for the datasets first). */
    @WithDefault("true")
    boolean autoStart();

    /** Resume from the model's latest snapshot (false: fresh W; versions still continue). */
    @WithDefault("true")
    boolean resume();

    /** Wait until the train and test datasets are complete before the first epoch. */
    @WithDefault("true")
    boolean waitForData();

    /** After the planned epochs, keep training online on records newly appended to the train topic. */
    @WithDefault("false")
    boolean continuous();

    /** Also publish a snapshot every N SGD steps (0 = only after each epoch). */
    @WithDefault("0")
    int snapshotEverySteps();

    /** Also publish a snapshot every T during an epoch (0s = only after each epoch). */
    @WithDefault("0s")
    Duration snapshotInterval();

    /** Snapshot period in continuous mode, when new steps were taken. */
    @WithDefault("30s")
    Duration continuousSnapshotInterval();

    /** Kafka poll timeout; also bounds how long a stop request waits during polling. */
    @WithDefault("200ms")
    Duration pollTimeout();

    /** Timeout of Kafka metadata calls and of a snapshot's acknowledgement. */
    @WithDefault("30s")
    Duration kafkaTimeout();

    /** Pause between two checks of whether the datasets are complete. */
    @WithDefault("2s")
    Duration readyPollInterval();

    /**
     * Longest wait for announced datasets to be complete (a publication cut short, a forged total): after
     * it the run trains on what is there and reports what is missing (status {@code missingData}, a WARN
     * line, gauge {@code fmnist.trainer.data.missing}). 0s = wait until complete.
     */
    @WithDefault("10m")
    Duration readinessDeadline();

    /**
     * Rows per matmul when evaluating the test set. 1,000 rows are 3 MB of float input for the engine:
     * larger chunks are no faster, and libtorch's allocations of tens of MB stay resident in malloc's
     * heap after they are freed.
     */
    @WithDefault("1000")
    int evalChunk();

    /**
     * PyTorch intra-op threads (0 = PyTorch's default, one per core), passed to DJL as
     * {@code ai.djl.pytorch.num_threads} before the engine loads. One thread is fastest for this
     * small model on a shared machine: more spinning worker threads fight the Kafka client and the
     * other services for the cores (figures in the README).
     */
    @WithDefault("1")
    int torchThreads();

    /**
     * Epochs kept in the status history and as per-epoch gauges ({@code fmnist.trainer.history.*{epoch}}):
     * the newest ones; older entries and their series are dropped, so a long run (a POST allows
     * 100,000 epochs) cannot grow memory or the metrics without bound. At least 1.
     */
    @WithDefault("100")
    int historyLimit();
}
