package dev.fmnist.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The Kafka connection, shared with the rest of the pipeline ({@code kafka.bootstrap.servers}). */
@ConfigMapping(prefix = "kafka")
public interface KafkaConfig {
    /** Bootstrap servers of the pipeline's broker. */
    @WithName("bootstrap.servers")
    @WithDefault("localhost:9092")
    String bootstrapServers();
}
