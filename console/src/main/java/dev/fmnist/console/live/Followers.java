package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.console.kafka.TopicFollower;
import dev.fmnist.contracts.Topics;
import dev.fmnist.support.kafka.KafkaClientFactory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Starts one group-less reader per watched topic at startup and stops them at shutdown. */
@ApplicationScoped
public class Followers {
    private final List<TopicFollower> followers;

    public Followers(KafkaClientFactory kafka, ConsoleConfig config, SnapshotView snapshots, DataView data,
                     DeadLetterView deadLetters) {
        this.followers = List.of(
                new TopicFollower(Topics.SNAPSHOTS, kafka, config.kafkaRetryBackoff(), snapshots::accept),
                new TopicFollower(Topics.TEST, kafka, config.kafkaRetryBackoff(), data::accept),
                new TopicFollower(Topics.TRAIN, kafka, config.kafkaRetryBackoff(), data::accept),
                new TopicFollower(Topics.DEAD_LETTER, kafka, config.kafkaRetryBackoff(), deadLetters::accept));
    }

    void start(@Observes StartupEvent event) {
        followers.forEach(TopicFollower::start);
    }

    void stop(@Observes ShutdownEvent event) {
        followers.forEach(TopicFollower::stop);
    }
}
