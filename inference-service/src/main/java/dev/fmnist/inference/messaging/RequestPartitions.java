package dev.fmnist.inference.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The rebalance listener of the request channel ({@code consumer-rebalance-listener.name} in
 * application.properties): tells {@link RequestPathMonitor} which partitions of fmnist.requests this replica
 * owns after each rebalance, so the per-partition lag gauge shows exactly this replica's share of the group.
 * Runs on the channel's polling thread.
 */
@ApplicationScoped
@Identifier(RequestPartitions.NAME)
public class RequestPartitions implements KafkaConsumerRebalanceListener {
    public static final String NAME = "fmnist-inference-requests";
    private final RequestPathMonitor monitor;

    public RequestPartitions(RequestPathMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        monitor.assigned(Set.copyOf(consumer.assignment()));
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
        kept.removeAll(partitions);
        monitor.assigned(kept);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }
}
