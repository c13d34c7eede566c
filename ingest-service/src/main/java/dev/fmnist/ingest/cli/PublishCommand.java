package dev.fmnist.ingest.cli;

import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.ingest.images.ImageEntries;
import dev.fmnist.ingest.images.LabelledImage;
import dev.fmnist.ingest.images.RejectedInputException;
import dev.fmnist.ingest.images.UploadLimits;
import dev.fmnist.ingest.messaging.ProducerSettings;
import dev.fmnist.ingest.messaging.PublishFailedException;
import dev.fmnist.ingest.messaging.UserImagePublisher;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.topics.TopicInitializer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;

/**
 * {@code publish DIR}: publishes a folder of class-named subfolders of images ({@code DIR/Sneaker/a.png},
 * {@code DIR/7/b.jpg}) to the train topic, as the REST bulk upload does: every image is checked
 * first, one bad image publishes nothing. Run from the built module:
 *
 * <pre>java -cp 'ingest-service/target/quarkus-app/lib/main/*:ingest-service/target/classes' \
 *     dev.fmnist.ingest.cli.PublishCommand DIR --bootstrap localhost:9092 [--invert] [--dry-run]</pre>
 *
 * Exit status: 0 published (or checked, with --dry-run), 1 bad input or Kafka failure, 2 usage error.
 */
public final class PublishCommand {
    static final String USAGE = "usage: PublishCommand DIR [--bootstrap HOST:PORT] [--invert] [--dry-run] [--timeout SECONDS]\n"
            + "  DIR holds one folder per class, named by class name or index (Sneaker/, ankle_boot/, 7/), with PNG/JPEG images;\n"
            + "  --bootstrap defaults to $KAFKA_BOOTSTRAP_SERVERS or localhost:9092";

    private PublishCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Path dir = null;
        String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        boolean invert = false;
        boolean dryRun = false;
        Duration timeout = Duration.ofSeconds(30);
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--bootstrap" -> bootstrap = value(args, ++i, "--bootstrap");
                    case "--invert" -> invert = true;
                    case "--dry-run" -> dryRun = true;
                    case "--timeout" -> timeout = seconds(value(args, ++i, "--timeout"));
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("--") || dir != null) {
                            throw new IllegalArgumentException("unexpected argument " + args[i]);
                        }
                        dir = Path.of(args[i]);
                    }
                }
            }
            if (dir == null) {
                throw new IllegalArgumentException("DIR is missing");
            }
        } catch (IllegalArgumentException e) {
            err.println("publish: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }

        List<LabelledImage> images;
        try {
            UploadLimits limits = UploadLimits.defaults();
            // one image at a time: the budget only has to hold the largest image
            ImageDecoder decoder = new ImageDecoder(ImageConverter.DEFAULT_MAX_DECODED_BYTES,
                    DecodeBudget.ofHeap(0.5), Duration.ofMinutes(1));
            images = ImageEntries.convertFolder(dir, invert, limits, decoder);
        } catch (RejectedInputException e) {
            err.println("publish: " + e.getMessage());
            e.entries().forEach(bad -> err.println("  " + bad.entry() + ": " + bad.error()));
            return 1;
        }
        if (dryRun) {
            images.forEach(img -> out.println(img.source() + " -> " + img.labelName() + " (" + img.label() + ") " + img.batchId()));
            out.println("checked " + images.size() + " images in " + dir + "; nothing published (--dry-run)");
            return 0;
        }

        KafkaClientFactory kafka = KafkaClientFactory.forBootstrap(bootstrap);
        ProducerSettings settings = ProducerSettings.defaults();
        settings = new ProducerSettings(settings.batchSize(), settings.linger(), settings.compression(),
                settings.bufferMemory(), timeout, timeout.plusSeconds(31));
        try (Producer<String, byte[]> producer = settings.producer(kafka, "fmnist-ingest-cli")) {
            new TopicInitializer(kafka, (short) 1).ensure();
            List<UserImagePublisher.Published> published = UserImagePublisher.publish(producer, images, timeout);
            for (UserImagePublisher.Published p : published) {
                out.println(p.source() + " -> " + p.labelName() + " (" + p.label() + ") " + p.batchId() + " "
                        + p.topic() + "-" + p.partition() + "@" + p.offset());
            }
            out.println("published " + published.size() + " images from " + dir + " to " + Topics.TRAIN + " at " + bootstrap);
            return 0;
        } catch (PublishFailedException | IllegalStateException | KafkaException e) {
            err.println("publish: " + e.getMessage() + " (bootstrap " + bootstrap + ")");
            return 1;
        }
    }

    private static Duration seconds(String text) {
        try {
            long s = Long.parseLong(text);
            if (s < 1) {
                throw new IllegalArgumentException("--timeout must be at least 1 second");
            }
            return Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--timeout takes whole seconds, not '" + text + "'");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
