package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.Topics;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.kafka.TopicTail;
import dev.fmnist.support.snapshots.SnapshotTrust;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * One group-less reader ({@link TopicTail}) per watched topic, started at startup and stopped at shutdown:
 * the console only watches, so it takes no partitions away from anyone and leaves no offsets behind. A
 * record a view cannot read is skipped: one bad record must not stop the view (the consumers of its
 * producer dead-letter it). fmnist.snapshots is followed through {@link SnapshotTrust} (read committed,
 * signatures verified in the view), as inference follows it; fmnist.alerts through the same trust's
 * model-control keys ({@link AlertView}).
 */
@ApplicationScoped
public class Followers {
    private static final Logger LOG = Logger.getLogger(Followers.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private final SnapshotTrust trust;
    private final List<TopicTail> tails;

    public Followers(KafkaClientFactory kafka, ConsoleConfig config, SnapshotTrust trust, SnapshotView snapshots,
                     DataView data, DeadLetterView deadLetters, AlertView alerts) {
        this.trust = trust;
        this.tails = List.of(
                trust.follow(kafka, name(Topics.SNAPSHOTS), Topics.SNAPSHOTS, settings(Topics.SNAPSHOTS), () -> { }, POLL,
                        config.kafkaRetryBackoff(), skipping(snapshots::accept)),
                tail(Topics.TEST, kafka, config, data::accept),
                tail(Topics.TRAIN, kafka, config, data::accept),
                tail(Topics.DEAD_LETTER, kafka, config, deadLetters::accept),
                tail(Topics.ALERTS, kafka, config, alerts::accept));
    }

    private static String name(String topic) {
        return "console follow " + topic;
    }

    /** A follower's own settings, laid over the console's connection settings. */
    private static Map<String, Object> settings(String topic) {
        return Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "console-" + topic,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
    }

    private static TopicTail tail(String topic, KafkaClientFactory kafka, ConsoleConfig config,
                                  Consumer<ConsumerRecord<byte[], byte[]>> view) {
        return new TopicTail(name(topic), topic, kafka, settings(topic), () -> { }, POLL, config.kafkaRetryBackoff(),
                skipping(view));
    }

    private static TopicTail.Handler skipping(Consumer<ConsumerRecord<byte[], byte[]>> view) {
        return r -> {
            try {
                view.accept(r);
            } catch (RuntimeException e) {
                LOG.debugf("skipped %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            }
        };
    }

    void start(@Observes StartupEvent event) {
        trust.report(false, "the console shows no snapshot (no curve, no version, no quality) until a key is configured");
        trust.reportAlerts("the console shows no alert until fmnist.model-control.public-keys is configured");
        tails.forEach(TopicTail::start);
    }

    void stop(@Observes ShutdownEvent event) {
        tails.forEach(TopicTail::stop);
    }
}
