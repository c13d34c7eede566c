package dev.fmnist.inference.config;

import dev.fmnist.contracts.image.ImageDecoder;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Settings of the inference service, under {@code fmnist.inference.*}; the decode limits build its image decoder. */
@ConfigMapping(prefix = "fmnist.inference")
public interface InferenceConfig extends ImageDecoder.Limits {
    /**
     * The model families served, each by its family id or model name ({@code softmax}, {@code fmnist-cnn}):
     * each is read from fmnist.snapshots under its model name ({@code fmnist-<family>}) and has its own
     * versions, pin and rollback. Env {@code FMNIST_INFERENCE_MODELS}, e.g. {@code softmax,cnn}.
     */
    @WithDefault("softmax")
    List<String> models();

    /**
     * The model a request that names none goes to (REST without {@code ?model=}, every Kafka request);
     * one of {@link #models()}, by default the first listed. Env {@code FMNIST_INFERENCE_DEFAULT_MODEL}.
     */
    Optional<String> defaultModel();

    /** How many snapshot versions stay in memory for pinning and rollback (at least 1). */
    @WithDefault("5")
    int keepVersions();

    /** Most images accepted in one JSON batch request (413 above). */
    @WithDefault("1000")
    int maxBatchSize();

    /** Largest request body accepted by /api/v1/classify, in bytes (413 above). */
    @WithDefault("10485760")
    long maxBodyBytes();

    /**
     * Largest PNG/JPEG accepted, in bytes its decoding needs (raster, luma array, libjpeg's progressive
     * buffer; computed from the header), 413 above, before anything is decoded (decompression bombs).
     */
    @WithDefault("134217728")
    @Override
    long maxDecodedBytes();

    /**
     * Bytes all concurrent image decodes (REST and Kafka) may hold together; unset = a quarter of the
     * max heap. A decode that does not fit within {@link #decodeWait()} gets 503 with Retry-After
     * (a Kafka request waits and retries instead).
     */
    @Override
    OptionalLong decodeBudgetBytes();

    /**
     * Bytes the request bodies being received at once may hold together; unset = a quarter of the max
     * heap. A body counts with its Content-Length, a body without one (chunked) with the HTTP layer's
     * hard limit ({@code quarkus.http.limits.max-body-size}), which is what it may grow to before it is
     * refused. A request whose body does not fit right now gets 503 with Retry-After, before it is read.
     */
    OptionalLong bodyBudgetBytes();

    /** How long an image decode waits for room in the decode budget before giving up as busy. */
    @WithDefault("PT0.2S")
    @Override
    Duration decodeWait();

    /**
     * Largest jump of a snapshot's version above the highest version seen; a bigger jump is rejected
     * (dead-lettered), so one absurd version (e.g. near Long.MAX) cannot make every later snapshot
     * look old. The first snapshot a replica reads is bounded only by the wire format's MAX_VERSION.
     */
    @WithDefault("1000")
    long maxVersionStep();

    /** Poll timeout of the snapshot consumer (also bounds how fast it notices shutdown). */
    @WithDefault("PT0.5S")
    Duration snapshotPollTimeout();

    /**
     * How long a pin, unpin or rollback waits for this replica to read its own record back from
     * fmnist.model-control; past that the call answers 202 (pending) and the replica applies it later.
     */
    @WithDefault("PT10S")
    Duration controlApplyTimeout();

    /**
     * How long the snapshot consumer waits at start-up for the model-control topic to be read to its
     * end, so a pin is known before the snapshots are (then it goes on and applies the pin late).
     */
    @WithDefault("PT30S")
    Duration controlCatchUpTimeout();

    /** Pause before the snapshot consumer retries after an error (topic creation, broker down). */
    @WithDefault("PT2S")
    Duration snapshotRetryBackoff();

    /**
     * Most value bytes a dead letter copies; a longer record (e.g. a gzip-compressed request whose
     * uncompressed size passes the producer's 1 MiB max.request.size) is copied as this prefix, with
     * its original size in {@code fmnist.dlq.original-size} and {@code fmnist.dlq.truncated=true}.
     */
    @WithDefault("524288")
    int deadLetterMaxValueBytes();

    /** Attempts to write one dead letter of a request when the broker errs transiently (at least 1). */
    @WithDefault("4")
    int deadLetterAttempts();

    /** Pause before the first retry of a dead letter; doubled for each further attempt. */
    @WithDefault("PT0.5S")
    Duration deadLetterBackoff();

    /**
     * The Kafka request path counts as stuck (liveness DOWN) when records wait (in flight or lag) and
     * none has been finished for this long while a model is live.
     */
    @WithDefault("PT2M")
    Duration requestStallTimeout();

    /** Service name written into dead-letter headers. */
    @WithDefault("inference-service")
    String serviceName();

    /** This replica's name in alerts and logs: the pod's host name on Kubernetes. */
    @WithDefault("${HOSTNAME:inference}")
    String replicaName();
}
