package dev.fmnist.ingest.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer settings of the ingest service, shared by the service, the command line and the
 * benchmark so all three publish the same way.
 *
 * <p>Idempotence with acks=all is fixed, not configurable: a retried send must never duplicate or
 * reorder a batch in the single-partition dataset topics. batch.size just under the broker's 1 MiB
 * message limit lets the producer put four to five 200 KB image batches in one request (Kafka's 16 KiB
 * default made publishing about twice as slow). lz4 is the default compression: with
 * bench/publish-bench.sh (variants interleaved, 2 busy cores) it published 70,000 images in a median
 * 482 ms against 542 ms uncompressed and 1033 ms with zstd, and the dataset topics, which keep their
 * data forever, take 36 MB instead of 55 MB per copy.
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

    /**
     * Producer properties: {@code base} (connection settings such as bootstrap.servers, security)
     * overlaid with these settings and the fixed reliability settings.
     */
    public Map<String, Object> producerProperties(Map<String, ?> base, String clientId) {
        Map<String, Object> p = new HashMap<>(base);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(batchSize));
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(linger.toMillis()));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(bufferMemory));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(maxBlock.toMillis()));
        // delivery.timeout.ms must be >= linger.ms + request.timeout.ms
        long delivery = Math.max(deliveryTimeout.toMillis(), linger.toMillis() + 30_001);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(delivery));
        return p;
    }
}
