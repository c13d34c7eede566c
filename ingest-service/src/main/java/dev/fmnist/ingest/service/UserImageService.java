package dev.fmnist.ingest.service;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.image.ImageFormatException;
import dev.fmnist.ingest.config.IngestConfig;
import dev.fmnist.ingest.images.ImageEntries;
import dev.fmnist.ingest.images.LabelledImage;
import dev.fmnist.ingest.images.RejectReason;
import dev.fmnist.ingest.images.RejectedInputException;
import dev.fmnist.ingest.images.UploadLimits;
import dev.fmnist.ingest.messaging.PublishFailedException;
import dev.fmnist.ingest.messaging.TopicsInitializer;
import dev.fmnist.ingest.messaging.UserImagePublisher;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;

/**
 * Turns uploaded images into single-image USER batches on the train topic. Everything of an upload
 * is read, limited, labelled and converted before the first record is sent.
 */
@ApplicationScoped
public class UserImageService {

    /** What an upload published. */
    public record UploadResult(int count, String topic, List<UserImagePublisher.Published> images) {
    }

    private final Producer<String, byte[]> producer;
    private final TopicsInitializer topics;
    private final IngestMetrics metrics;
    private final IngestConfig.Upload config;
    private final UploadLimits limits;

    public UserImageService(Producer<String, byte[]> producer, TopicsInitializer topics, IngestMetrics metrics,
                            IngestConfig config) {
        this.producer = producer;
        this.topics = topics;
        this.metrics = metrics;
        this.config = config.upload();
        IngestConfig.Upload u = config.upload();
        this.limits = new UploadLimits(u.maxBytes(), u.bulkMaxBytes(), u.bulkMaxEntries(), u.bulkMaxUncompressedBytes(),
                u.maxPixels());
    }

    /** One PNG/JPEG with its label (index or class name). */
    public UploadResult upload(InputStream body, String label, boolean invert) {
        return upload(body, label, invert, "upload");
    }

    /** @param source file name to report back */
    public UploadResult upload(InputStream body, String label, boolean invert, String source) {
        byte[] bytes = read(body, limits.maxImageBytes(), "image");
        int labelIndex = parseLabel(label);
        byte[] pixels;
        try {
            pixels = ImageConverter.toFashionMnist(bytes, invert, limits.maxPixels());
        } catch (ImageFormatException e) {
            throw new RejectedInputException(e.tooLarge() ? RejectReason.TOO_LARGE : RejectReason.BAD_IMAGE, e.getMessage());
        }
        return publish(List.of(new LabelledImage(source, labelIndex, pixels)));
    }

    /** A zip of class-named folders of images: all entries are checked first, then all are published. */
    public UploadResult uploadArchive(InputStream body, boolean invert) {
        byte[] zip = read(body, limits.maxArchiveBytes(), "zip");
        List<ImageEntries.Entry> entries = ImageEntries.readZip(new java.io.ByteArrayInputStream(zip), limits);
        return publish(ImageEntries.convert(entries, invert, limits));
    }

    static int parseLabel(String label) {
        try {
            return FashionMnist.parseLabel(label);
        } catch (IllegalArgumentException e) {
            throw new RejectedInputException(RejectReason.BAD_LABEL, e.getMessage());
        }
    }

    private UploadResult publish(List<LabelledImage> images) {
        try {
            topics.ensure();
        } catch (IllegalStateException e) {
            throw new PublishFailedException("Kafka is not reachable: " + e.getMessage(), e);
        }
        List<UserImagePublisher.Published> published = UserImagePublisher.publish(producer, images, config.ackTimeout());
        for (UserImagePublisher.Published p : published) {
            metrics.published(Split.USER, 1, p.bytes());
        }
        return new UploadResult(published.size(), Topics.TRAIN, published);
    }

    private static byte[] read(InputStream body, long max, String what) {
        if (body == null) {
            throw new RejectedInputException(RejectReason.BAD_IMAGE, "empty request body: send the " + what);
        }
        try (body) {
            byte[] bytes = ImageEntries.readAtMost(body, max);
            if (bytes == null) {
                throw new RejectedInputException(RejectReason.TOO_LARGE, what + " is larger than the limit of " + max
                        + " bytes (fmnist.ingest.upload." + (what.equals("zip") ? "bulk-max-bytes" : "max-bytes") + ")");
            }
            if (bytes.length == 0) {
                throw new RejectedInputException(what.equals("zip") ? RejectReason.BAD_ARCHIVE : RejectReason.BAD_IMAGE,
                        "empty request body: send the " + what);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }
}
