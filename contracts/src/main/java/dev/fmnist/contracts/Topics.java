package dev.fmnist.contracts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
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

    /**
     * Partitions of {@link #REQUESTS} and {@link #PREDICTIONS}: the most inference replicas that can consume
     * requests at once (one consumer group; a replica beyond this count gets no partition and sits idle), so
     * the autoscalers' maximum (k8s/base HPA, k8s/components/keda) is at most this. Six: twice the three
     * replicas the HPA allows, for KEDA's lag scaling, while each partition costs little on a broker.
     */
    public static final int REQUEST_PARTITIONS = 6;

    /** A topic with its partition count and topic-level configs. */
    public record Spec(String name, int partitions, Map<String, String> configs) {
    }

    /**
     * The pipeline's topics. Train and test keep their data forever: Kafka is the dataset, epochs
     * replay it. One partition for the datasets keeps the published order; requests (and their
     * predictions) spread over {@link #REQUEST_PARTITIONS} so that many inference replicas can share them.
     */
    public static final List<Spec> ALL = List.of(
            new Spec(TRAIN, 1, Map.of("retention.ms", "-1", "retention.bytes", "-1")),
            new Spec(TEST, 1, Map.of("retention.ms", "-1", "retention.bytes", "-1")),
            new Spec(UPLOADS, 3, Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000),
                    "max.message.bytes", String.valueOf(UPLOAD_MAX_RECORD_BYTES))),
            new Spec(SNAPSHOTS, 1, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000")),
            new Spec(MODEL_CONTROL, 1, Map.of("cleanup.policy", "compact")),
            new Spec(REQUESTS, REQUEST_PARTITIONS, Map.of()),
            new Spec(PREDICTIONS, REQUEST_PARTITIONS, Map.of()),
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

    /**
     * Grows every existing topic that has fewer partitions than {@link #ALL} declares to the declared count
     * (Admin createPartitions; Kafka cannot shrink a topic, so one with more is left as it is). This is how a
     * deployment made when {@link #REQUESTS} had 3 partitions gets {@link #REQUEST_PARTITIONS}. Growing changes
     * the partition of a key (murmur2(key) mod partitions): a request id produced after the change may land on
     * another partition than before. Nothing here relies on per-key order across partitions (requests and
     * predictions are matched by id, not by order), and the topics whose order or compaction depends on the
     * partition (train, test, snapshots, model-control) are declared with one partition, so they never grow.
     * Needs ALTER on the topics (the services' principals in the secured broker do not have it: there it fails
     * with an authorization error, and an operator grows the topics with kafka-topics.sh --alter). Returns
     * "name: from -> to" for each topic it grew.
     */
    public static List<String> grow(Admin admin) {
        try {
            Map<String, Spec> declared = new LinkedHashMap<>();
            ALL.forEach(spec -> declared.put(spec.name(), spec));
            Set<String> existing = admin.listTopics().names().get();
            declared.keySet().retainAll(existing);
            Map<String, TopicDescription> described = admin.describeTopics(declared.keySet()).allTopicNames().get();
            Map<String, NewPartitions> increases = new LinkedHashMap<>();
            List<String> grown = new ArrayList<>();
            for (Spec spec : declared.values()) {
                int now = described.get(spec.name()).partitions().size();
                if (now < spec.partitions()) {
                    increases.put(spec.name(), NewPartitions.increaseTo(spec.partitions()));
                    grown.add(spec.name() + ": " + now + " -> " + spec.partitions());
                }
            }
            if (!increases.isEmpty()) {
                admin.createPartitions(increases).all().get();
            }
            return grown;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while growing topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not grow topics: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
