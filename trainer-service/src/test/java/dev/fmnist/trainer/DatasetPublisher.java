package dev.fmnist.trainer;

import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Test helper: publishes Fashion-MNIST images as ImageBatches, the way ingest does, with a plain producer. */
public final class DatasetPublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    public DatasetPublisher(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    /** Publishes the first {@code limit} images of a split in batches; returns the number of batches. */
    public int publish(String datasetId, FashionMnistData.Split data, Split split, int limit, int batchSize) {
        int count = Math.min(limit, data.count());
        int size = data.images().rows() * data.images().cols();
        int total = (count + batchSize - 1) / batchSize;
        String topic = split == Split.TEST ? Topics.TEST : Topics.TRAIN;
        for (int b = 0; b < total; b++) {
            int from = b * batchSize;
            int to = Math.min(count, from + batchSize);
            byte[] labels = Arrays.copyOfRange(data.labels(), from, to);
            byte[] pixels = Arrays.copyOfRange(data.images().pixels(), from * size, to * size);
            String batchId = datasetId + "-" + split.name().toLowerCase() + "-" + b;
            ImageBatch batch = new ImageBatch(datasetId, batchId, split, b, total, data.images().rows(),
                    data.images().cols(), labels, pixels);
            send(topic, batchId.getBytes(StandardCharsets.UTF_8), ImageBatchCodec.encode(batch));
        }
        producer.flush();
        return total;
    }

    /**
     * Publishes the first {@code limit} images of a split as ingest does (format 2): each batch carries its
     * position in the files, and its id names the batch size, so another batch size gives other ids for the
     * same images. Returns the number of batches.
     */
    public int publishPositioned(String contentId, FashionMnistData.Split data, Split split, int limit, int batchSize) {
        int count = Math.min(limit, data.count());
        int size = data.images().rows() * data.images().cols();
        int total = (count + batchSize - 1) / batchSize;
        String datasetId = contentId + "-limit" + count;
        String topic = split == Split.TEST ? Topics.TEST : Topics.TRAIN;
        for (int b = 0; b < total; b++) {
            int from = b * batchSize;
            int to = Math.min(count, from + batchSize);
            String batchId = datasetId + "/" + split.name().toLowerCase() + "/bs" + batchSize + "/" + b;
            ImageBatch batch = new ImageBatch(datasetId, batchId, split, b, total, data.images().rows(),
                    data.images().cols(), Arrays.copyOfRange(data.labels(), from, to),
                    Arrays.copyOfRange(data.images().pixels(), from * size, to * size),
                    new ImageBatch.Position(contentId, from, count));
            send(topic, batchId.getBytes(StandardCharsets.UTF_8), ImageBatchCodec.encode(batch));
        }
        producer.flush();
        return total;
    }

    public void send(String topic, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    public void sendAndWait(String topic, byte[] key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
