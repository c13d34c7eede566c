package dev.fmnist.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.KafkaTestResource;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.ingest.testing.Images;
import dev.fmnist.ingest.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fmnist.uploads on a real broker, fed by a client that is not ours (kcat, Debian's package; the
 * test is skipped where it is not installed, and .ci/run installs it) and by a plain Kafka producer.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class UploadsTopicIT {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TempDir
    Path tmp;

    private TopicReader topics;

    @BeforeEach
    void openReader() {
        topics = new TopicReader(bootstrap);
    }

    @AfterEach
    void closeReader() {
        topics.close();
    }

    private static boolean kcatInstalled() {
        try {
            return new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private void kcat(Path file, String... headers) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kcat", "-b", bootstrap, "-P", "-t", Topics.UPLOADS,
                "-X", "message.max.bytes=" + Topics.UPLOAD_MAX_RECORD_BYTES));
        for (String h : headers) {
            cmd.add("-H");
            cmd.add(h);
        }
        cmd.add(file.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "kcat finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> "kcat failed: " + out);
    }

    /** Waits until the topic, from an offset, holds records matching the predicate. */
    private List<ConsumerRecord<String, byte[]>> await(String topic, long from, int count,
                                                       Predicate<ConsumerRecord<String, byte[]>> which) {
        return Awaitility.await(count + " records on " + topic).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> topics.readFrom(topic, from).stream().filter(which).toList(), found -> found.size() >= count);
    }

    private static boolean fromUploads(ConsumerRecord<String, byte[]> r) {
        return Topics.UPLOADS.equals(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC));
    }

    @Test
    void kcatRecordsBecomeUserImagesAndBadOnesDeadLetters() throws Exception {
        Assumptions.assumeTrue(kcatInstalled(), "kcat is not installed (apt-get install kcat)");
        long train0 = topics.end(Topics.TRAIN);
        long dead0 = topics.end(Topics.DEAD_LETTER);
        byte[] pixels = Images.pixels28(11);
        Path png = Files.write(tmp.resolve("shirt.png"), ImageConverter.encodePng(pixels));
        Path photo = Files.write(tmp.resolve("photo.jpg"), Images.photo(320, 240, "jpeg"));
        Path raw = Files.write(tmp.resolve("raw.bin"), Images.pixels28(12));
        Path junk = Files.write(tmp.resolve("junk.bin"), "not an image at all".getBytes(StandardCharsets.UTF_8));

        kcat(png, "label=Shirt");
        kcat(photo, "label=7", "invert=true");
        kcat(raw, "label=0");
        kcat(png);                       // unlabelled
        kcat(junk, "label=3");           // not an image
        kcat(png, "label=Spaceship");    // no such class

        List<ConsumerRecord<String, byte[]>> user = await(Topics.TRAIN, train0, 4,
                r -> ImageBatchCodec.decode(r.value()).split() == Split.USER);
        Map<Integer, ImageBatch> byLabel = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : user) {
            ImageBatch b = ImageBatchCodec.decode(r.value());
            assertEquals(r.key(), b.batchId());
            assertEquals(1, b.count());
            byLabel.put(b.label(0), b);
        }
        assertEquals(java.util.Set.of(6, 7, 0, ImageBatch.UNLABELLED), byLabel.keySet());
        assertArrayEquals(pixels, byLabel.get(6).pixels(), "a 28x28 PNG keeps its pixels exactly");
        assertArrayEquals(Images.pixels28(12), byLabel.get(0).pixels(), "784 raw bytes are taken as they are");
        assertTrue(Byte.toUnsignedInt(byLabel.get(7).pixels()[14 * 28 + 14]) > 155, "inverted: the dark object is light");

        List<ConsumerRecord<String, byte[]>> dead = await(Topics.DEAD_LETTER, dead0, 2, UploadsTopicIT::fromUploads);
        List<String> reasons = dead.stream().map(r -> DeadLetters.header(r.headers(), DeadLetters.REASON)).toList();
        assertTrue(reasons.stream().anyMatch(s -> s.startsWith("bad_image")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(s -> s.startsWith("bad_label") && s.contains("Spaceship")), reasons.toString());
        for (ConsumerRecord<String, byte[]> d : dead) {
            assertEquals("ingest-service", DeadLetters.header(d.headers(), DeadLetters.SERVICE));
            assertNotNull(DeadLetters.header(d.headers(), DeadLetters.SOURCE_OFFSET));
        }
    }

    @Test
    void aRecordDeliveredTwiceGetsOneBatchIdAndAHugeBadRecordIsDeadLetteredWithoutItsValue() throws Exception {
        long train0 = topics.end(Topics.TRAIN);
        long dead0 = topics.end(Topics.DEAD_LETTER);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.UPLOAD_MAX_RECORD_BYTES);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        byte[] png = ImageConverter.encodePng(Images.pixels28(21));
        byte[] huge = new byte[10_500_000]; // over the 10 MiB image limit, far over the dead-letter copy limit
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 2; i++) {
                var r = new ProducerRecord<byte[], byte[]>(Topics.UPLOADS, png);
                r.headers().add(Topics.UPLOAD_LABEL_HEADER, "Bag".getBytes(StandardCharsets.UTF_8));
                producer.send(r).get(30, TimeUnit.SECONDS);
            }
            var big = new ProducerRecord<byte[], byte[]>(Topics.UPLOADS, "big".getBytes(StandardCharsets.UTF_8), huge);
            big.headers().add(Topics.UPLOAD_LABEL_HEADER, "Bag".getBytes(StandardCharsets.UTF_8));
            producer.send(big).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, byte[]>> bags = await(Topics.TRAIN, train0, 2, r -> {
            ImageBatch b = ImageBatchCodec.decode(r.value());
            return b.split() == Split.USER && b.label(0) == 8;
        });
        assertEquals(bags.get(0).key(), bags.get(1).key(), "same image and label, same batch id: trained once");

        ConsumerRecord<String, byte[]> dead = await(Topics.DEAD_LETTER, dead0, 1,
                r -> fromUploads(r) && "big".equals(r.key())).get(0);
        assertEquals(null, dead.value());
        assertEquals(String.valueOf(huge.length), DeadLetters.header(dead.headers(), DeadLetters.ORIGINAL_SIZE));
        assertTrue(DeadLetters.header(dead.headers(), DeadLetters.REASON).startsWith("too_large"));
    }
}
