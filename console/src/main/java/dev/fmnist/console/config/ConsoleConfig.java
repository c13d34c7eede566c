package dev.fmnist.console.config;

import dev.fmnist.contracts.model.ModelFamily;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where the console finds the services, and how much it keeps. */
@ConfigMapping(prefix = "fmnist.console")
public interface ConsoleConfig {
    /** Base URL of the inference service: classify, model info, admin, metrics. */
    @WithDefault("http://localhost:8080")
    String inferenceUrl();

    /** Base URL of the trainer service: run status, start and stop. */
    @WithDefault("http://localhost:8082")
    String trainerUrl();

    /** Base URL of the ingest service: publication progress. */
    @WithDefault("http://localhost:8081")
    String ingestUrl();

    /**
     * Base URLs of every inference replica whose served version the model panel lists. Unset: only
     * {@link #inferenceUrl()}. Ignored when {@link #inferenceReplicasDns()} is set.
     */
    Optional<List<String>> inferenceReplicas();

    /**
     * {@code host:port} of a headless Service in front of the inference pods: every address the
     * name resolves to is asked for its model, once per poll. Unset: the static list above.
     */
    Optional<String> inferenceReplicasDns();

    /**
     * The model families followed, compared and shown (env {@code FMNIST_CONSOLE_MODELS}; {@code ./fmnist up --model}
     * sets it): their snapshots on fmnist.snapshots (keyed by model name), the version inference serves of each
     * ({@code ?model=}), their quality on the test split. The first one is shown first. Ids or model names.
     */
    @WithDefault("softmax")
    @WithConverter(FamilyConverter.class)
    List<ModelFamily> models();

    /** Pause between two polls of the services' small status endpoints. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Connect and read timeout of a status poll (the admin proxies wait longer: see {@link #actionTimeout()}). */
    @WithDefault("2s")
    Duration pollTimeout();

    /** Timeout of a proxied action (classify, start/stop training, pin); stopping a run may take 30 s. */
    @WithDefault("40s")
    Duration actionTimeout();

    /** Pause before a topic reader retries after a broker failure. */
    @WithDefault("2s")
    Duration kafkaRetryBackoff();

    /**
     * Most recent snapshots kept in memory per model, for the quality of a pinned older version (a softmax
     * snapshot is 31 KB, a cnn 247 KB, an mlp 814 KB: see {@link #keepSnapshotBytes()}).
     */
    @WithDefault("50")
    int keepSnapshots();

    /** Most bytes of weights kept per model (the newest snapshot is always kept): 5 mlp versions, 16 cnn ones. */
    @WithDefault("4194304")
    long keepSnapshotBytes();

    /** Test images where the models disagree shown in the comparison (the first ones in test-set order). */
    @WithDefault("12")
    int disagreementExamples();

    /** Misclassified test images shown, the most confident mistakes first. */
    @WithDefault("24")
    int gallerySize();

    /** Most recent user uploads shown as thumbnails. */
    @WithDefault("12")
    int uploadThumbnails();

    /** Most test images held for the quality computation (Fashion-MNIST has 10,000; 784 bytes each). */
    @WithDefault("70000")
    int maxTestImages();

    /** Largest image accepted by the classify proxy, in bytes. */
    @WithDefault("10485760")
    int maxImageBytes();

    /** Largest JSON body forwarded to the admin endpoints, in bytes. */
    @WithDefault("65536")
    int maxJsonBytes();

    /** Distinct dead-letter reasons counted separately; the rest are counted as "other". */
    @WithDefault("50")
    int maxDeadLetterReasons();

    /** Most recent alerts (fmnist.alerts) held and listed; older ones are dropped. */
    @WithDefault("100")
    int keepAlerts();

    /**
     * The longest a drift alert keeps its model's banner up (per raising replica) without its clearing: the banner
     * stands until a later drift alert of the same model and replica clears it ({@code cleared} = 1, which
     * inference raises when the episode is over), so this only takes down the banner of a replica stopped
     * mid-episode.
     */
    @WithDefault("24h")
    Duration driftAlertActive();

    /** How long a refused or rolled-back alert keeps a banner up. */
    @WithDefault("5m")
    Duration decisionAlertActive();
}
