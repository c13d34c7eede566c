package dev.fmnist.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshot safety on a real broker with compaction really running (the snapshot topic rolls a
 * segment every 100 ms and is cleaned at a 1 % dirty ratio): a corrupt latest record and a forged
 * unsigned record with version 2^52 do not send a restarted trainer back or make it jump; a second
 * trainer of the same model fences the first, and no version is ever committed twice. Plain
 * {@link Trainer} runs (no Quarkus) on a 1,000/200-image subset.
 */
class SnapshotSafetyIT {
    static final SnapshotSigning SIGNING = SnapshotSigning.of(List.of("snapshot-safety-it-key-32-bytes!!".getBytes(
            StandardCharsets.US_ASCII)));

    static Path dir;
    static KafkaBroker broker;
    static KafkaClients clients;

    @BeforeAll
    static void brokerAndData() throws Exception {
        dir = Files.createTempDirectory("snapshot-safety-it");
        broker = KafkaBroker.start(new KafkaBroker.Settings(dir, "localhost", 0, 0,
                Map.of("log.cleaner.backoff.ms", "200")));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Topics.ensure(admin, (short) 1);
            ConfigResource snapshots = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SNAPSHOTS);
            admin.incrementalAlterConfigs(Map.of(snapshots, List.of(
                    set("segment.ms", "100"), set("min.cleanable.dirty.ratio", "0.01"),
                    set("min.compaction.lag.ms", "0"), set("delete.retention.ms", "100")))).all().get(30, TimeUnit.SECONDS);
        }
        FashionMnistData data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers())) {
            publisher.publish(data.datasetId(), data.train(), Split.TRAIN, 1_000, 256);
            publisher.publish(data.datasetId(), data.test(), Split.TEST, 200, 256);
        }
        clients = new KafkaClients(broker.bootstrapServers(), "snapshot-safety-it");
    }

    static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (dir != null) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static TrainingSettings settings(String model, int epochs) {
        return new TrainingSettings(model, epochs, 0.1, 256, 0L, 0, true, true, false, 0, Duration.ZERO,
                Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofMillis(200), 10_000);
    }

    @Test
    void aCorruptLatestAndAForgedHugeVersionSurviveCompactionWithoutEffect() throws Exception {
        String model = "safety";
        Trainer.Result first = new Trainer(clients, settings(model, 2), new Trainer.Snapshots(SIGNING, 1, false),
                new Trainer.Listener() { }).run(() -> false);
        assertEquals(Trainer.State.COMPLETED, first.state());
        assertEquals(2, first.modelVersion());

        long huge = 1L << 52;
        WeightSnapshot forged = new WeightSnapshot(model, huge, 99, 1, new float[7840], new float[10],
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), WeightSnapshot.Metrics.UNMEASURED, List.of(),
                Instant.now());
        byte[] corrupt = WeightSnapshotCodec.encode(forged.withPlan(WeightSnapshot.Plan.NONE), SIGNING);
        corrupt[200] ^= 0x55;
        try (var producer = rawProducer()) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, SnapshotKeys.key(model, 3), corrupt)).get();
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, model.getBytes(StandardCharsets.UTF_8), corrupt)).get();
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, SnapshotKeys.key(model, huge),
                    WeightSnapshotCodec.encode(forged))).get();
            // compaction: v1 was tombstoned when v2 was published (retain 1); wait until the cleaner removed it,
            // appending a filler now and then so that the segment holding the bad records rolls and is cleaned
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (stillHoldsValueOf(model, 1)) {
                assertTrue(System.nanoTime() < deadline, "compaction did not remove the tombstoned v1 within 90 s");
                producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "filler".getBytes(StandardCharsets.UTF_8),
                        new byte[1])).get();
                Thread.sleep(300);
            }
        }
        Map<Long, byte[]> after = valuesOf(model);
        assertTrue(after.containsKey(2L) && after.containsKey(3L) && after.containsKey(huge),
                "compaction kept v2 and the bad records (their own keys): " + after.keySet());

        // a restarted trainer resumes from v2 (the highest that decodes and verifies) and continues with v3
        List<WeightSnapshot> resumedFrom = new CopyOnWriteArrayList<>();
        Trainer.Result second = new Trainer(clients, settings(model, 3), new Trainer.Snapshots(SIGNING, 1, false),
                new Trainer.Listener() {
                    @Override
                    public void resumed(WeightSnapshot from) {
                        resumedFrom.add(from);
                    }
                }).run(() -> false);
        assertEquals(Trainer.State.COMPLETED, second.state(), second.detail());
        assertEquals(List.of(2L), resumedFrom.stream().map(WeightSnapshot::version).toList());
        assertEquals(3, second.epoch());
        assertEquals(3, second.modelVersion());
        WeightSnapshot v3 = WeightSnapshotCodec.decode(valuesOf(model).get(3L), SIGNING);
        assertEquals(3, v3.epoch(), "the corrupt record under v3's key was replaced by the real v3");
        assertEquals(new WeightSnapshot.Plan(3), v3.plan());
    }

    @Test
    void aSecondTrainerFencesTheFirstAndNoVersionIsCommittedTwice() throws Exception {
        String model = "fenced";
        List<WeightSnapshot> byFirst = new CopyOnWriteArrayList<>();
        List<String> states = new CopyOnWriteArrayList<>();
        CompletableFuture<Trainer.Result> first = CompletableFuture.supplyAsync(() -> new Trainer(clients,
                settings(model, 1_000), new Trainer.Snapshots(SIGNING, 20, false), new Trainer.Listener() {
                    @Override
                    public void snapshot(WeightSnapshot s) {
                        byFirst.add(s);
                    }

                    @Override
                    public void state(Trainer.State state, String detail) {
                        states.add(state + ": " + detail);
                    }
                }).run(() -> false));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (byFirst.size() < 2) {
            assertTrue(System.nanoTime() < deadline && !first.isDone(), "the first trainer published no 2 snapshots");
            Thread.sleep(50);
        }
        List<WeightSnapshot> bySecond = new CopyOnWriteArrayList<>();
        Trainer.Result second = new Trainer(clients, settings(model, 1_000), new Trainer.Snapshots(SIGNING, 20, false),
                new Trainer.Listener() {
                    @Override
                    public void snapshot(WeightSnapshot s) {
                        bySecond.add(s);
                    }
                }).run(() -> bySecond.size() >= 2);
        assertEquals(Trainer.State.STOPPED, second.state(), second.detail());
        Trainer.Result fenced = first.get(60, TimeUnit.SECONDS);
        assertEquals(Trainer.State.FENCED, fenced.state());
        assertTrue(fenced.detail().contains("fmnist-trainer-fenced"), fenced.detail());
        assertTrue(states.get(states.size() - 1).startsWith("FENCED"), states.toString());

        List<Long> committed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted()) {
            if (r.value() != null && SnapshotKeys.belongsTo(r.key(), model)) {
                committed.add(WeightSnapshotCodec.decode(r.value(), SIGNING).version());
            }
        }
        Set<Long> distinct = new HashSet<>(committed);
        assertEquals(committed.size(), distinct.size(), "a version committed twice: " + committed);
        long firstOfSecond = bySecond.get(0).version();
        assertTrue(firstOfSecond > byFirst.get(byFirst.size() - 1).version() - 1, "the second continued after the first");
        for (long v = 1; v <= committed.get(committed.size() - 1); v++) {
            assertTrue(distinct.contains(v), "version " + v + " missing from " + committed);
        }
        assertFalse(committed.isEmpty());
    }

    static KafkaProducer<byte[], byte[]> rawProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    /** Whether the log itself (not its compacted view) still holds a value record of that version. */
    static boolean stillHoldsValueOf(String model, long version) {
        byte[] key = SnapshotKeys.key(model, version);
        return readCommitted().stream().anyMatch(r -> r.value() != null && java.util.Arrays.equals(r.key(), key));
    }

    /** Non-tombstone values of the model's per-version keys now on the topic (the last per key). */
    static Map<Long, byte[]> valuesOf(String model) {
        Map<Long, byte[]> out = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted()) {
            SnapshotKeys.parse(r.key()).filter(k -> k.modelName().equals(model)).ifPresent(k -> {
                if (r.value() == null) {
                    out.remove(k.version());
                } else {
                    out.put(k.version(), r.value());
                }
            });
        }
        return out;
    }

    static List<ConsumerRecord<byte[], byte[]>> readCommitted() {
        return TrainerIT.readAll(clients, Topics.SNAPSHOTS);
    }
}
