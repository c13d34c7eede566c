package dev.fmnist.ingest.messaging;

import dev.fmnist.support.kafka.KafkaClientFactory;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer settings of the ingest service, shared by the service, the command line and the
 * benchmark so all three publish the same way.
 *
 * <p>The producer is the factory's reliable producer (a retried send must never
 * duplicate or reorder a batch in the single-partition dataset topics); this is its tuning. batch.size just
 * under the broker's 1 MiB message limit lets the producer put several 200 KB image batches in one request.
 * lz4 is the default compression: the fastest of the codecs measured by bench/publish-bench.sh (figures in
 * the ingest README), and it shrinks the dataset topics, which keep their data forever.
 */
public record ProducerSettings(int batchSize, Duration linger, String compression, long bufferMemory,
                               Duration maxBlock, Duration deliveryTimeout) {

    public static ProducerSettings defaults() {
        return new ProducerSettings(983_040, Duration.ofMillis(5), "lz4", 64L << 20,
                Duration.ofSeconds(15), Duration.ofSeconds(60));
    }

    public ProducerSettings withCompression(String type) {
        return new ProducerSettings(batchSize, linger, type, bufferMemory, maxBlock, deliveryTimeout);
    }

    public ProducerSettings withBatchSize(int bytes) {
        return new ProducerSettings(bytes, linger, compression, bufferMemory, maxBlock, deliveryTimeout);
    }

    public ProducerSettings withLinger(Duration d) {
        return new ProducerSettings(batchSize, d, compression, bufferMemory, maxBlock, deliveryTimeout);
    }

    /** The reliable producer with this tuning, keyed by batch id. */
    public Producer<String, byte[]> producer(KafkaClientFactory kafka, String clientId) {
        return kafka.reliableProducer(clientId, new StringSerializer(), tuning());
    }

    /** The tuning laid over the reliable producer's settings. */
    public Map<String, String> tuning() {
        // delivery.timeout.ms must be >= linger.ms + request.timeout.ms
        long delivery = Math.max(deliveryTimeout.toMillis(), linger.toMillis() + 30_001);
        // strings, as in a properties file: Kafka parses each to its own type (int or long)
        return Map.of(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchSize),
                ProducerConfig.LINGER_MS_CONFIG, String.valueOf(linger.toMillis()),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression,
                ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(bufferMemory),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(maxBlock.toMillis()),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(delivery));
    }
}
