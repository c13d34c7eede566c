package dev.fmnist.contracts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Topic names and their defaults, in one place. Every service and test refers to these. */
public final class Topics {
    public static final String TRAIN = "fmnist.train";
    /**
     * Plain records from any Kafka client: value = a PNG/JPEG or 784 raw bytes, headers
     * {@link #UPLOAD_LABEL_HEADER} and {@link #UPLOAD_INVERT_HEADER}. Ingest turns them into user
     * images on {@link #TRAIN}.
     */
    public static final String UPLOADS = "fmnist.uploads";
    /** Header of an upload record: 0-9 or a class name; absent = unlabelled. */
    public static final String UPLOAD_LABEL_HEADER = "label";
    /** Header of an upload record: {@code true} turns a dark-on-light photo into light-on-dark. */
    public static final String UPLOAD_INVERT_HEADER = "invert";
    /** Largest upload record the topic takes (the REST upload limit, 10 MiB, plus headroom for key and headers). */
    public static final int UPLOAD_MAX_RECORD_BYTES = 10 * 1024 * 1024 + 64 * 1024;
    public static final String TEST = "fmnist.test";
    /**
     * Compacted, keyed per model and version ({@link SnapshotKeys}): compaction never removes a
     * version because of a record of another version.
     */
    public static final String SNAPSHOTS = "fmnist.snapshots";
    /**
     * Compacted, keyed by model name: the serving decision every inference replica follows (which
     * version is pinned, or none). See {@link ModelControlCodec}.
     */
    public static final String MODEL_CONTROL = "fmnist.model-control";
    public static final String REQUESTS = "fmnist.requests";
    public static final String PREDICTIONS = "fmnist.predictions";
    public static final String DEAD_LETTER = "fmnist.dead-letter";
    /**
     * Promotions, refusals, rollbacks and drift, keyed by model name ({@link AlertCodec}); kept 30 days,
     * for people and alert routers, not a source of decisions.
     */
    public static final String ALERTS = "fmnist.alerts";

    /** A topic with its partition count and topic-level configs. */
    public record Spec(String name, int partitions, Map<String, String> configs) {
    }

    /**
     * The pipeline's topics. Train and test keep their data forever: Kafka is the dataset, epochs
     * replay it. One partition for the datasets keeps the published order; requests spread over
     * three so several inference replicas can share them.
     */
    public static final List<Spec> ALL = List.of(
            new Spec(TRAIN, 1, Map.of("retention.ms", "-1", "retention.bytes", "-1")),
            new Spec(TEST, 1, Map.of("retention.ms", "-1", "retention.bytes", "-1")),
            new Spec(UPLOADS, 3, Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000),
                    "max.message.bytes", String.valueOf(UPLOAD_MAX_RECORD_BYTES))),
            new Spec(SNAPSHOTS, 1, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000")),
            new Spec(MODEL_CONTROL, 1, Map.of("cleanup.policy", "compact")),
            new Spec(REQUESTS, 3, Map.of()),
            new Spec(PREDICTIONS, 3, Map.of()),
            new Spec(DEAD_LETTER, 1, Map.of("retention.ms", String.valueOf(14L * 24 * 3600 * 1000))),
            new Spec(ALERTS, 1, Map.of("retention.ms", String.valueOf(30L * 24 * 3600 * 1000))));

    private Topics() {
    }

    /** The topic setting that makes an acks=all write wait for that many replicas. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    /**
     * Creates the topics that do not exist yet with {@code replicationFactor} replicas (1 on a single
     * broker); existing ones are left as they are. Returns the names it created.
     */
    public static List<String> ensure(Admin admin, short replicationFactor) {
        return ensure(admin, replicationFactor, 1);
    }

    /**
     * {@link #ensure(Admin, short)} on a cluster: each topic also gets {@value #MIN_INSYNC_REPLICAS}
     * (when above 1; a single broker's topics stay as they were), so an acknowledged write is on that many
     * brokers (3 replicas, 2 in sync: any one broker may die without losing an acknowledged record).
     *
     * @throws IllegalArgumentException when {@code minInsyncReplicas} is not between 1 and the replication factor
     */
    public static List<String> ensure(Admin admin, short replicationFactor, int minInsyncReplicas) {
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("min.insync.replicas " + minInsyncReplicas
                    + " must be between 1 and the replication factor " + replicationFactor);
        }
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (Spec spec : ALL) {
                if (!existing.contains(spec.name())) {
                    Map<String, String> configs = new java.util.HashMap<>(spec.configs());
                    if (minInsyncReplicas > 1) {
                        configs.put(MIN_INSYNC_REPLICAS, Integer.toString(minInsyncReplicas));
                    }
                    missing.add(new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(configs));
                }
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topics: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
