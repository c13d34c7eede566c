package dev.fmnist.ingest.messaging;

import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.images.LabelledImage;
import dev.fmnist.ingest.images.RejectedInputException;
import dev.fmnist.ingest.images.UploadLimits;
import dev.fmnist.ingest.images.UserImages;
import dev.fmnist.ingest.service.IngestMetrics;
import dev.fmnist.support.kafka.KafkaOutage;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Turns records that any Kafka client put on {@link Topics#UPLOADS} into user images on
 * {@link Topics#TRAIN}, exactly as a REST upload would: the same checks and conversion
 * ({@link UserImages#fromRecord}), the same single-image USER batches keyed by a digest of label and
 * pixels (so a record delivered twice, or the same image uploaded twice, is trained on once: the
 * trainer keeps one batch per id). A record that cannot be used goes to the dead-letter topic with
 * its reason.
 *
 * <p>At least once: a poll's records are converted, sent and dead-lettered, and the poll is
 * acknowledged (its offsets committed) only after Kafka has acknowledged every resulting record.
 * Conversions run on one worker thread of their own (pool {@code uploads}), never the event loop.
 * When Kafka does not acknowledge, the whole poll is sent again ({@link KafkaOutage}'s guard: 200 ms
 * doubling to {@code fmnist.ingest.uploads-topic.max-backoff}) for as long as the outage lasts: the channel
 * stops on a failure, so every failed send is retried, not only a transient one (only fencing and bad data
 * abort). The consumer is paused meanwhile by the connector, so nothing piles up in memory.
 */
@ApplicationScoped
public class UploadsConsumer {
    public static final String CHANNEL = "uploads-in";
    static final String SERVICE = "ingest-service";
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final TypeLiteral<List<UserImagePublisher.Published>> PUBLISHED = new TypeLiteral<>() {
    };
    private static final Logger LOG = Logger.getLogger(UploadsConsumer.class);

    private final Producer<String, byte[]> producer;
    private final ImageDecoder decoder;
    private final IngestMetrics metrics;
    private final UploadLimits limits;
    private final Duration ackTimeout;
    private final Guard retry;
    private final Guard decodeTurn;

    public UploadsConsumer(Producer<String, byte[]> producer, IngestMetrics metrics, IngestConfig config,
                           ImageDecoder decoder) {
        this.producer = producer;
        this.decoder = decoder;
        this.metrics = metrics;
        IngestConfig.Upload u = config.upload();
        this.limits = u.limits();
        this.ackTimeout = u.ackTimeout();
        this.retry = KafkaOutage.guard(e -> e instanceof PublishFailedException, FIRST_BACKOFF,
                config.uploadsTopic().maxBackoff(), -1, e -> LOG.warnf("uploads: Kafka did not acknowledge a poll (%s); sending it again",
                        e.getMessage()));
        // a busy decode budget is load, not a bad record: the record waits its turn (50 ms doubling to 1 s)
        this.decodeTurn = KafkaOutage.guard(e -> e instanceof DecodeBusyException, Duration.ofMillis(50),
                Duration.ofSeconds(1), -1, e -> { });
    }

    /** What one poll turned into. */
    record Outcome(List<LabelledImage> images, List<ProducerRecord<String, byte[]>> deadLetters) {
    }

    /**
     * One poll. Returning acknowledges it (the connector commits its offsets); the method returns
     * only once Kafka has acknowledged every image and dead letter of the poll, and throws only when
     * interrupted at shutdown (the poll is then delivered again to the next consumer).
     */
    @Incoming(CHANNEL)
    @Blocking("uploads")
    public void consume(ConsumerRecords<byte[], byte[]> records) {
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(records.count());
        records.forEach(list::add);
        Outcome outcome = convert(list);
        List<UserImagePublisher.Published> published;
        try {
            published = retry.call(() -> publish(outcome), PUBLISHED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while waiting for Kafka", e);
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new PublishFailedException(e.getMessage(), e);
        }
        for (UserImagePublisher.Published p : published) {
            metrics.published(Split.USER, 1, p.bytes());
        }
    }

    /** Converts every record; the ones that fail become dead letters (counted by reason). */
    Outcome convert(List<ConsumerRecord<byte[], byte[]>> records) {
        List<LabelledImage> images = new ArrayList<>(records.size());
        List<ProducerRecord<String, byte[]>> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String source = r.topic() + "-" + r.partition() + "@" + r.offset();
            try {
                images.add(convert(r, source));
            } catch (RejectedInputException e) {
                metrics.rejected(e.reason());
                dead.add(deadLetter(r, e.reason().tag() + ": " + e.getMessage()));
            } catch (PublishFailedException e) {
                throw e;
            } catch (RuntimeException e) {
                dead.add(deadLetter(r, "unusable record: " + e));
            }
        }
        return new Outcome(images, dead);
    }

    /** One record; while the decode budget is taken by other decodes (REST uploads), it waits its turn. */
    private LabelledImage convert(ConsumerRecord<byte[], byte[]> r, String source) {
        try {
            return decodeTurn.call(() -> UserImages.fromRecord(r.value(),
                    DeadLetters.header(r.headers(), Topics.UPLOAD_LABEL_HEADER),
                    DeadLetters.header(r.headers(), Topics.UPLOAD_INVERT_HEADER), limits, source, decoder), LabelledImage.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while waiting for the decode budget", e);
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    private static ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
        ProducerRecord<byte[], byte[]> copy = DeadLetters.of(SERVICE, r.topic(), r.partition(), r.offset(), r.key(),
                r.value(), reason);
        String key = copy.key() == null ? null : new String(copy.key(), StandardCharsets.UTF_8);
        return new ProducerRecord<>(copy.topic(), null, key, copy.value(), copy.headers());
    }

    private List<UserImagePublisher.Published> publish(Outcome outcome) {
        List<UserImagePublisher.Published> published = outcome.images().isEmpty() ? List.of()
                : UserImagePublisher.publish(producer, outcome.images(), ackTimeout);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            for (ProducerRecord<String, byte[]> d : outcome.deadLetters()) {
                sent.add(producer.send(d));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new PublishFailedException("dead letter not accepted: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw new PublishFailedException("dead letter not acknowledged: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while waiting for Kafka", e);
        }
        return published;
    }
}
