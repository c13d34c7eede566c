package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.api.PublishStatus;
import dev.fmnist.api.TrainingStatus;
import dev.fmnist.broker.FreePorts;
import dev.fmnist.broker.testing.BrokerCluster;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill on a three-broker cluster (three {@code ./fmnist} broker processes, topics with 3 replicas and
 * min.insync.replicas 2): the packaged services run as {@code ./fmnist up} runs them, and once ingest has
 * published 10,000 images the leader of fmnist.train is {@code kill -9}ed and stays down. Every one of the 70,000
 * images must be on the topics exactly once by content (SHA-256 of its pixels and label, compared with the files'
 * own multiset: Fashion-MNIST holds a few identical images), and the trainer must report 60,000 training images.
 */
@Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
class PublicationDrillIT {
    static final int KILL_AFTER_IMAGES = 10_000;

    @TempDir
    Path home;
    BrokerCluster cluster;
    Settings settings;

    @AfterEach
    void down() {
        try {
            if (settings != null) {
                new Supervisor(settings).stopAll();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aBrokerKilledMidPublicationLosesAndDuplicatesNoImage() throws Exception {
        cluster = BrokerCluster.start(home.resolve("kafka-cluster"), 3);
        Path repo = Path.of(System.getProperty("fmnist.repo.root", "..")).toAbsolutePath().normalize();
        int[] ports = FreePorts.take(4);
        settings = Settings.fromEnvironment(repo, Map.of()).withHome(home).withExternalBootstrap(cluster.bootstrapServers())
                .withPorts(ports[0], ports[1], ports[2]).withConsolePort(ports[3]).withDataDir(PipelineIT.dataDir());
        Settings started = settings;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> new Supervisor(started).stopAll()));

        // the leader is looked up now: an admin call during the publication could take longer than the publication
        int leader = cluster.leaderOf(Topics.TRAIN, 0);
        AtomicInteger victim = new AtomicInteger();
        AtomicLong killedAt = new AtomicLong();
        AtomicLong publishedAtKill = new AtomicLong();
        AtomicLong publishedAfterKill = new AtomicLong();
        AtomicLong publicationEnded = new AtomicLong();
        PipelineClient client = new PipelineClient(settings);
        CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
            while (System.nanoTime() < deadline) {
                Optional<PublishStatus> s = client.publication();
                if (s.isPresent() && killedAt.get() == 0 && s.get().publishedImages() >= KILL_AFTER_IMAGES) {
                    publishedAtKill.set(s.get().publishedImages());
                    cluster.kill(leader);
                    victim.set(leader);
                    killedAt.set(System.nanoTime());
                    client.publication().ifPresent(after -> publishedAfterKill.set(after.publishedImages()));
                }
                if (s.isPresent() && killedAt.get() != 0 && s.get().state() == PublishStatus.State.SUCCEEDED) {
                    publicationEnded.set(System.nanoTime());
                    return;
                }
                sleep(20);
            }
        });
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Orchestrator.Options options = new Orchestrator.Options(true, false, Optional.of(2), 0, 0, false,
                new EnumMap<>(Component.class), Duration.ofMinutes(10));
        Orchestrator.Result result;
        try {
            result = new Orchestrator(settings, new PrintStream(captured, true, StandardCharsets.UTF_8)).up(options);
        } finally {
            System.out.println(captured.toString(StandardCharsets.UTF_8));
        }
        killer.get(1, java.util.concurrent.TimeUnit.MINUTES);
        PublishStatus publication = client.publication().orElseThrow();

        FashionMnistData data = FashionMnistData.load(PipelineIT.dataDir());
        Map<String, Integer> sent = new HashMap<>();
        count(data.train().images().pixels(), data.train().labels(), sent);
        count(data.test().images().pixels(), data.test().labels(), sent);
        Map<String, Integer> onTopics = new HashMap<>();
        long records = 0;
        for (String topic : List.of(Topics.TRAIN, Topics.TEST)) {
            for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
                ImageBatch batch = ImageBatchCodec.decode(r.value());
                count(batch.pixels(), batch.labels(), onTopics);
                records++;
            }
        }
        long duplicated = 0;
        long lost = 0;
        for (var e : sent.entrySet()) {
            int there = onTopics.getOrDefault(e.getKey(), 0);
            duplicated += Math.max(0, there - e.getValue());
            lost += Math.max(0, e.getValue() - there);
        }
        long foreign = onTopics.entrySet().stream().filter(e -> !sent.containsKey(e.getKey())).mapToLong(Map.Entry::getValue).sum();
        long total = onTopics.values().stream().mapToLong(Integer::intValue).sum();
        TrainingStatus.HistoryEntry last = result.history().get(result.history().size() - 1);
        System.out.printf("publication drill: node %d (leader of %s-0) kill -9'ed at %d (%d once it was dead) of 70000 published images;"
                        + " publication %s %.1f s after the kill (Kafka retries %d); images sent 70000 (%d distinct), on the topics"
                        + " %d in %d batches, duplicated %d, lost %d, foreign %d; the trainer trained on %d images (test %d), model v%d%n",
                victim.get(), Topics.TRAIN, publishedAtKill.get(), publishedAfterKill.get(), publication.state(),
                (publicationEnded.get() - killedAt.get()) / 1e9, publication.kafkaRetries(), sent.size(), total, records,
                duplicated, lost, foreign, last.samples(), last.testSamples(), result.modelVersion());

        assertTrue(victim.get() > 0 && !cluster.node(victim.get()).isAlive(), "a broker was killed and stayed down");
        assertTrue(publishedAfterKill.get() < 70_000, "the kill came during the publication: " + publishedAfterKill.get());
        assertEquals(PublishStatus.State.SUCCEEDED, publication.state(), publication.toString());
        assertEquals(0, lost, "images lost");
        assertEquals(0, duplicated, "images on the topics twice");
        assertEquals(0, foreign, "images on the topics that were never sent");
        assertEquals(70_000, total);
        assertEquals(60_000, last.samples(), "the trainer's training images");
        assertEquals(10_000, last.testSamples(), "the trainer's test images");
    }

    /** Counts each image by the SHA-256 of its pixels and its label. */
    static void count(byte[] pixels, byte[] labels, Map<String, Integer> counts) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < labels.length; i++) {
            sha.update(pixels, i * FashionMnist.PIXELS, FashionMnist.PIXELS);
            sha.update(labels[i]);
            counts.merge(HexFormat.of().formatHex(sha.digest()), 1, Integer::sum);
        }
    }

    /** Every committed record of a one-partition topic, from its start to its end now. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> all = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(all::add);
            }
            assertTrue(c.position(tp) >= end, topic + " not read to its end");
            return all;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
