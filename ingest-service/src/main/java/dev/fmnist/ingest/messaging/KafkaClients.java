package dev.fmnist.ingest.messaging;

import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.dataset.PublishedBatches;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The service's Kafka clients, built from the {@code kafka.*} properties (bootstrap servers,
 * security; collected by Quarkus as "default-kafka-broker") and {@code fmnist.ingest.producer.*}.
 *
 * <p>Why a plain {@link KafkaProducer} rather than a SmallRye emitter: a dataset publication sends a
 * few hundred large records as one job that must report per-record offsets, stop at the first
 * failed acknowledgement and flush before it reports success; uploads answer with the offsets of
 * their records. The plain producer gives exactly that (send callbacks, flush, RecordMetadata) with
 * explicit producer settings, without a channel's buffering and ack mapping in between.
 */
@ApplicationScoped
public class KafkaClients {

    @Produces
    @Singleton
    Producer<String, byte[]> producer(@Identifier("default-kafka-broker") Map<String, Object> kafka, IngestConfig config) {
        IngestConfig.Producer p = config.producer();
        ProducerSettings settings = new ProducerSettings(p.batchSize(), p.linger(), p.compression(), p.bufferMemory(),
                p.maxBlock(), p.deliveryTimeout());
        return new KafkaProducer<>(settings.producerProperties(connection(kafka), "fmnist-ingest"));
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        producer.close(Duration.ofSeconds(10));
    }

    @Produces
    @Singleton
    PublishedBatches publishedBatches(@Identifier("default-kafka-broker") Map<String, Object> kafka, IngestConfig config) {
        return new PublishedBatchReader(connection(kafka), config.skipPublishedTimeout());
    }

    @Produces
    @Singleton
    Admin admin(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> p = connection(kafka);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "fmnist-ingest-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    void closeAdmin(@Disposes Admin admin) {
        admin.close(Duration.ofSeconds(5));
    }

    /** The kafka.* properties that are client settings (Quarkus also collects a few of its own). */
    static Map<String, Object> connection(Map<String, Object> kafka) {
        Map<String, Object> p = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (!k.startsWith("devservices") && !k.startsWith("health") && !k.startsWith("snappy")) {
                p.put(k, v);
            }
        });
        return p;
    }
}
