package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.Topics;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.topics.TopicInitializer;
import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads every snapshot from the beginning of fmnist.snapshots on a dedicated thread. No consumer
 * group and no commits: each replica assigns itself all partitions, so every replica sees every
 * snapshot, reading only committed transactions. Runs independently of the HTTP side: if the broker is away the service keeps serving
 * the model it has (or answers 503 when it has none) and this loop retries.
 */
@ApplicationScoped
public class SnapshotConsumer {
    private static final Logger LOG = Logger.getLogger(SnapshotConsumer.class);
    private final KafkaClientFactory kafka;
    private final TopicInitializer topics;
    private final InferenceConfig config;
    private final ModelService models;
    private final InferenceMetrics metrics;
    private final DeadLetterPublisher deadLetters;
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final SnapshotAcceptance acceptance;
    private volatile boolean running;
    private volatile Consumer<byte[], byte[]> consumer;
    private Thread thread;

    public SnapshotConsumer(KafkaClientFactory kafka, TopicInitializer topics, InferenceConfig config,
                            ModelService models, InferenceMetrics metrics, DeadLetterPublisher deadLetters,
                            SnapshotTrust trust) {
        this.kafka = kafka;
        this.topics = topics;
        this.config = config;
        this.models = models;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.acceptance = new SnapshotAcceptance(config.modelName(), trust, config.maxVersionStep());
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "snapshot-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the consumer thread is running (shown by the liveness check). */
    public boolean alive() {
        return thread != null && thread.isAlive();
    }

    private void run() {
        while (running) {
            try {
                topics.ensure();
                consume();
            } catch (WakeupException e) {
                // stop() woke the poll up; the loop condition ends it
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("snapshot consumer failed (%s); retrying in %s", e.getMessage(), config.snapshotRetryBackoff());
                    pause(config.snapshotRetryBackoff());
                }
            }
        }
    }

    private void consume() {
        try (Consumer<byte[], byte[]> c = kafka.consumer(consumerSettings())) {
            consumer = c;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = c.partitionsFor(Topics.SNAPSHOTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long next = positions.get(tp);
                if (next == null) {
                    c.seekToBeginning(List.of(tp));
                } else {
                    c.seek(tp, next);
                }
            }
            LOG.infof("reading %s from the beginning for model '%s'", Topics.SNAPSHOTS, config.modelName());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(config.snapshotPollTimeout())) {
                    handle(r);
                    positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
            }
        } finally {
            consumer = null;
        }
    }

    /** The snapshot consumer's own settings, laid over the service's connection settings. */
    static Map<String, Object> consumerSettings() {
        return Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "inference-snapshots",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // the trainer publishes in transactions: aborted (e.g. fenced) snapshots are never seen
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        SnapshotAcceptance.Decision d = acceptance.decide(r.key(), r.value(), models.registry().state().highestSeen());
        if (d instanceof SnapshotAcceptance.OtherModel) {
            metrics.snapshot("other_model");
        } else if (d instanceof SnapshotAcceptance.Reject reject) {
            reject(r, reject.reason());
        } else if (d instanceof SnapshotAcceptance.Accept accept) {
            models.offer(LoadedModel.of(accept.snapshot(), Instant.now()));
        } else if (d instanceof SnapshotAcceptance.NotNewer old) {
            // the registry counts and logs it (and stays the authority under concurrent pins)
            models.offer(LoadedModel.of(old.snapshot(), Instant.now()));
        }
    }

    private void reject(ConsumerRecord<byte[], byte[]> r, String reason) {
        metrics.snapshotRejected();
        LOG.warnf("rejected snapshot at %s-%d@%d: %s (the live model keeps serving)", r.topic(), r.partition(),
                r.offset(), reason);
        try {
            deadLetters.send(r.topic(), r.partition(), r.offset(), r.key(), r.value(), reason).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf("could not dead-letter the rejected snapshot at offset %d: %s", r.offset(), e.getMessage());
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
