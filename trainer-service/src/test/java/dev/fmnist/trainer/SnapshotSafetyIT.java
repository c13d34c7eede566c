package dev.fmnist.trainer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.TestBroker;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Snapshot safety on a real broker with compaction really running (the snapshot topic rolls a
 * segment every 100 ms and is cleaned at a 1 % dirty ratio): a corrupt latest record and a forged
 * unsigned record with version 2^52 do not send a restarted trainer back or make it jump; a second
 * trainer of the same model fences the first, and no version is ever committed twice. Plain
 * {@link Trainer} runs (no Quarkus) on a 1,000/200-image subset.
 */
class SnapshotSafetyIT {
    static final SnapshotSigning SIGNING = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);

    @RegisterExtension
    static final TestBroker broker = TestBroker.withPipelineTopics().withOverrides(Map.of("log.cleaner.backoff.ms", "200"));
    static KafkaClients clients;

    @BeforeAll
    static void compactionAndData() throws Exception {
        try (Admin admin = broker.admin()) {
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
            await("compaction removed the tombstoned v1").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        if (!stillHoldsValueOf(model, 1)) {
                            return true;
                        }
                        producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, "filler".getBytes(StandardCharsets.UTF_8),
                                new byte[1])).get();
                        return false;
                    });
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
        await("the first trainer published 2 snapshots").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    assertTrue(byFirst.size() >= 2 || !first.isDone(), "the first trainer published no 2 snapshots");
                    return byFirst.size() >= 2;
                });
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

        // what the trainers reported committing: the first 1..k, the second from k + 1 on, each version once
        List<Long> reported = new ArrayList<>();
        byFirst.forEach(s -> reported.add(s.version()));
        bySecond.forEach(s -> reported.add(s.version()));
        for (int i = 0; i < reported.size(); i++) {
            assertEquals(i + 1L, reported.get(i), "the versions the two trainers committed, in order: " + reported);
        }
        // what the topic holds of them: no version twice, and every version the trainers have not retired yet
        // (retain 20: v - 20 is tombstoned with v). Older ones the log cleaner may have removed, value and
        // tombstone alike (delete.retention.ms=100), so they are not looked for.
        List<Long> committed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted()) {
            if (SnapshotKeys.belongsTo(r.key(), model) && r.value() != null) {
                committed.add(WeightSnapshotCodec.decode(r.value(), SIGNING).version());
            }
        }
        Set<Long> distinct = new HashSet<>(committed);
        assertEquals(committed.size(), distinct.size(), "a version committed twice: " + committed);
        assertTrue(reported.containsAll(distinct), "committed " + committed + " but reported " + reported);
        long last = reported.get(reported.size() - 1);
        for (long v = Math.max(1, last - 20 + 1); v <= last; v++) {
            assertTrue(distinct.contains(v), "version " + v + " missing from " + committed);
        }
    }

    /**
     * A takeover racing a commit, many times over: while the owner commits a snapshot, a new store of
     * the same model opens (fencing it). The owner's publish either returns, and then that version is
     * committed, or throws {@link FencedException}, and then it is not; never another error. About 1
     * round in 100 the coordinator answers the commit UNKNOWN_SERVER_ERROR (its log: "Preparing
     * transaction state transition to PREPARE_COMMIT while it already a pending state
     * PREPARE_EPOCH_FENCE"); that failed CI once as "snapshot v9 was not committed".
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTakeoverRacingACommitEndsInACommitOrAFencingNeverAnotherError() throws Exception {
        String model = "takeover";
        int rounds = 300;
        Set<Long> returned = new HashSet<>();
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        OwnedStore owner = openStore(model);
        OwnedStore challenger = null;
        try {
            long[] publishNanos = new long[5];
            for (int i = 0; i < publishNanos.length; i++) {
                long start = System.nanoTime();
                owner.store().publish(snapshotOf(model, i + 1));
                publishNanos[i] = System.nanoTime() - start;
                returned.add(i + 1L);
            }
            java.util.Arrays.sort(publishNanos);
            // the challenger's start swept over the owner's publish (send, then commit), in 25 steps of a
            // twentieth of the median publish, however slow the machine
            long sweepStepNanos = publishNanos[2] / 20;
            System.out.printf("takeover race: a publish takes %.2f ms; the challenger starts 0 to %.2f ms after it%n",
                    publishNanos[2] / 1e6, 24 * sweepStepNanos / 1e6);
            for (long v = publishNanos.length + 1; v <= rounds; v++) {
                challenger = newStore(model);
                challenger.producer().partitionsFor(Topics.SNAPSHOTS); // connected, so that its init is quick
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                WeightSnapshot snapshot = snapshotOf(model, v);
                OwnedStore current = owner;
                OwnedStore next = challenger;
                long delayNanos = (v % 25) * sweepStepNanos;
                var published = pool.submit(() -> {
                    go.await();
                    current.store().publish(snapshot);
                    return null;
                });
                var opened = pool.submit(() -> {
                    go.await();
                    java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);
                    next.store().open();
                    return null;
                });
                go.countDown();
                opened.get(60, TimeUnit.SECONDS);
                try {
                    published.get(60, TimeUnit.SECONDS);
                    returned.add(v);
                    outcomes.merge("committed", 1, Integer::sum);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof dev.fmnist.trainer.messaging.FencedException fenced)) {
                        throw new AssertionError("round " + v + ": the owner's publish failed with neither a commit"
                                + " nor a fencing", e.getCause());
                    }
                    outcomes.merge("fenced (" + fenced.getCause().getClass().getSimpleName() + ")", 1, Integer::sum);
                }
                current.close();
                owner = challenger;
                challenger = null;
            }
        } finally {
            owner.close();
            if (challenger != null) {
                challenger.close();
            }
            pool.shutdownNow();
        }
        System.out.println("takeover race outcomes over " + rounds + " rounds: " + outcomes);
        Set<Long> committed = new HashSet<>(valuesOf(model).keySet());
        assertEquals(returned, committed, "exactly the publishes that returned are committed");
    }

    record OwnedStore(org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer,
                      dev.fmnist.trainer.messaging.SnapshotStore store) implements AutoCloseable {
        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }

    static OwnedStore newStore(String model) {
        // the coordinator answers an init during the owner's transaction with CONCURRENT_TRANSACTIONS; retried
        // at once rather than after the default 100 ms, the init lands in the gap before the owner's commit
        var eager = new KafkaClients(new dev.fmnist.support.kafka.KafkaClientFactory(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "retry.backoff.ms", 1, "retry.backoff.max.ms", 1)),
                "takeover-it");
        var producer = eager.transactionalProducer("takeover-it",
                dev.fmnist.trainer.messaging.SnapshotStore.transactionalId(model));
        return new OwnedStore(producer, new dev.fmnist.trainer.messaging.SnapshotStore(clients, producer, model, SIGNING,
                10_000, Duration.ofSeconds(30)));
    }

    static OwnedStore openStore(String model) {
        OwnedStore s = newStore(model);
        s.store().open();
        return s;
    }

    static WeightSnapshot snapshotOf(String model, long version) {
        return new WeightSnapshot(model, version, (int) version, version, new float[7840], new float[10],
                new WeightSnapshot.Hyperparameters(0.1, 256, 0), WeightSnapshot.Metrics.UNMEASURED, List.of(),
                Instant.now()).withPlan(new WeightSnapshot.Plan(1_000));
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
