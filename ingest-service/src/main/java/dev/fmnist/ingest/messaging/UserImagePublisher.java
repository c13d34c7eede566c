package dev.fmnist.ingest.messaging;

import dev.fmnist.ingest.images.LabelledImage;
import dev.fmnist.support.kafka.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes user images to {@link Topic#TRAIN}, one single-image ImageBatch per image keyed by its
 * content-derived batch id, and waits for every acknowledgement.
 */
public final class UserImagePublisher {

    /** One published image. */
    public record Published(String source, String batchId, int label, String labelName, String topic, int partition,
                            long offset, int bytes) {
    }

    private UserImagePublisher() {
    }

    /**
     * @throws PublishFailedException when Kafka did not acknowledge every record within the timeout;
     *                                the message says how many were sent
     */
    public static List<Published> publish(Producer<String, byte[]> producer, List<LabelledImage> images, Duration timeout) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(images.size());
        List<byte[]> values = new ArrayList<>(images.size());
        try {
            for (LabelledImage image : images) {
                ProducerRecord<String, byte[]> record = Topic.TRAIN.record(image.batchId(), image.toBatch());
                values.add(record.value());
                futures.add(producer.send(record));
            }
        } catch (KafkaException e) {
            throw new PublishFailedException("Kafka refused image " + (futures.size() + 1) + " of " + images.size()
                    + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Published> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            LabelledImage image = images.get(i);
            try {
                RecordMetadata md = futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                out.add(new Published(image.source(), image.batchId(), image.label(), image.labelName(), md.topic(),
                        md.partition(), md.offset(), values.get(i).length));
            } catch (ExecutionException e) {
                throw new PublishFailedException("Kafka did not accept image " + image.source() + ": "
                        + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new PublishFailedException("Kafka did not acknowledge " + (images.size() - i) + " of "
                        + images.size() + " images within " + timeout.toMillis() + " ms", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishFailedException("interrupted while waiting for Kafka", e);
            }
        }
        return out;
    }
}
