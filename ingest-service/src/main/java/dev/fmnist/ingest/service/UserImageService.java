package dev.fmnist.ingest.service;

import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.images.LabelledImage;
import dev.fmnist.ingest.images.UploadLimits;
import dev.fmnist.ingest.images.UserImages;
import dev.fmnist.ingest.messaging.PublishFailedException;
import dev.fmnist.ingest.messaging.TopicsInitializer;
import dev.fmnist.ingest.messaging.UserImagePublisher;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;

/**
 * Turns uploaded images into single-image USER batches on the train topic. Everything of an upload
 * is read, limited, labelled and converted ({@link UserImages}) before the first record is sent.
 */
@ApplicationScoped
public class UserImageService {

    /** What an upload published. */
    public record UploadResult(int count, String topic, List<UserImagePublisher.Published> images) {
    }

    private final Producer<String, byte[]> producer;
    private final TopicsInitializer topics;
    private final IngestMetrics metrics;
    private final Duration ackTimeout;
    private final UploadLimits limits;
    private final ImageDecoder decoder;

    public UserImageService(Producer<String, byte[]> producer, TopicsInitializer topics, IngestMetrics metrics,
                            IngestConfig config, ImageDecoder decoder) {
        this.producer = producer;
        this.topics = topics;
        this.metrics = metrics;
        IngestConfig.Upload u = config.upload();
        this.ackTimeout = u.ackTimeout();
        this.limits = u.limits();
        this.decoder = decoder;
    }

    /** One PNG/JPEG with its label (index or class name); source is the name reported back. */
    public UploadResult upload(InputStream body, String label, boolean invert, String source) {
        return publish(List.of(UserImages.single(body, label, invert, limits, source, decoder)));
    }

    /** A zip of class-named folders of images: all entries are checked first, then all are published. */
    public UploadResult uploadArchive(InputStream body, boolean invert) {
        return publish(UserImages.archive(body, invert, limits, decoder));
    }

    private UploadResult publish(List<LabelledImage> images) {
        try {
            topics.ensure();
        } catch (IllegalStateException e) {
            throw new PublishFailedException("Kafka is not reachable: " + e.getMessage(), e);
        }
        List<UserImagePublisher.Published> published = UserImagePublisher.publish(producer, images, ackTimeout);
        for (UserImagePublisher.Published p : published) {
            metrics.published(Split.USER, 1, p.bytes());
        }
        return new UploadResult(published.size(), Topics.TRAIN, published);
    }
}
