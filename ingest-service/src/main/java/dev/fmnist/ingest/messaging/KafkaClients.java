package dev.fmnist.ingest.messaging;

import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.dataset.PublishedBatches;
import dev.fmnist.support.kafka.KafkaClientFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;

/**
 * The service's Kafka clients: the connection settings (every {@code kafka.*} property) from the
 * shared {@link KafkaClientFactory}, the producer tuning from {@code fmnist.ingest.producer.*}.
 *
 * <p>Why a plain producer rather than a SmallRye emitter: a dataset publication sends a
 * few hundred large records as one job that must report per-record offsets, stop at the first
 * failed acknowledgement and flush before it reports success; uploads answer with the offsets of
 * their records. The plain producer gives exactly that (send callbacks, flush, RecordMetadata) with
 * explicit producer settings, without a channel's buffering and ack mapping in between.
 */
@ApplicationScoped
public class KafkaClients {

    @Produces
    @Singleton
    Producer<String, byte[]> producer(KafkaClientFactory kafka, IngestConfig config) {
        IngestConfig.Producer p = config.producer();
        ProducerSettings settings = new ProducerSettings(p.batchSize(), p.linger(), p.compression(), p.bufferMemory(),
                p.maxBlock(), p.deliveryTimeout());
        return settings.producer(kafka, "fmnist-ingest");
    }

    void closeProducer(@Disposes Producer<String, byte[]> producer) {
        producer.close(Duration.ofSeconds(10));
    }

    @Produces
    @Singleton
    PublishedBatches publishedBatches(KafkaClientFactory kafka, IngestConfig config) {
        return new PublishedBatchReader(kafka, config.skipPublishedTimeout());
    }

    @Produces
    @Singleton
    Admin admin(KafkaClientFactory kafka) {
        return kafka.admin("fmnist-ingest-admin");
    }

    void closeAdmin(@Disposes Admin admin) {
        admin.close(Duration.ofSeconds(5));
    }
}
