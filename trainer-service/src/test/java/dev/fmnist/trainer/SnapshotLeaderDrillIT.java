package dev.fmnist.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.BrokerCluster;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.messaging.SnapshotStore;
import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.SelfHealingRun;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drill on a three-broker cluster (three {@code ./fmnist} broker processes, topics with 3 replicas and
 * min.insync.replicas 2): in the middle of epoch 2 the node that leads both fmnist.snapshots and the trainer's
 * transaction state partition (its transaction coordinator) is {@code kill -9}ed and stays down. The run must
 * end COMPLETED by itself, every planned version committed exactly once (read read_committed), none skipped or
 * twice. 6,000 / 1,000 images, 6 epochs.
 */
class SnapshotLeaderDrillIT {
    static final int EPOCHS = 6;
    /** 24 steps an epoch (6,000 images, batch 256): step 30 is in epoch 2. */
    static final long KILL_AT_STEP = 30;
    static final String MODEL = "leader-drill";

    @TempDir
    Path dir;
    BrokerCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theSnapshotAndTransactionLeaderKilledMidTrainingLeavesEveryVersionCommittedOnce() throws Exception {
        cluster = BrokerCluster.start(dir, 3);
        FashionMnistData data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        try (DatasetPublisher publisher = new DatasetPublisher(cluster.bootstrapServers())) {
            publisher.publishPositioned(data.datasetId(), data.train(), Split.TRAIN, 6_000, 256);
            publisher.publishPositioned(data.datasetId(), data.test(), Split.TEST, 1_000, 256);
        }
        KafkaClients clients = new KafkaClients(cluster.bootstrapServers(), "leader-drill-it");
        List<EpochSummary> epochs = new CopyOnWriteArrayList<>();
        List<Long> epochEnds = new CopyOnWriteArrayList<>();
        List<String> states = new CopyOnWriteArrayList<>();
        AtomicInteger victim = new AtomicInteger();
        AtomicLong killedAt = new AtomicLong();
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void step(long step, int samples, long nanos) {
                // on the training thread: the kill lands between two steps of epoch 2, with its snapshot still to come
                if (step == KILL_AT_STEP && killedAt.get() == 0) {
                    victim.set(alignAndKill());
                    killedAt.set(System.nanoTime());
                }
            }

            @Override
            public void epoch(EpochSummary summary) {
                epochs.add(summary);
                epochEnds.add(System.nanoTime());
            }

            @Override
            public void state(Trainer.State state, String detail) {
                states.add(state + ": " + detail);
            }
        };
        TrainingSettings settings = new TrainingSettings(MODEL, EPOCHS, 0.1, 256, 3L, 0, true, true, false, 0, Duration.ZERO,
                Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofMillis(200), 10_000);
        long t0 = System.nanoTime();
        Trainer.Result result = CompletableFuture.supplyAsync(() -> new SelfHealingRun(
                () -> new Trainer(clients, settings, new Trainer.Snapshots(null, 20, false), listener), listener)
                .run(() -> false)).get(8, TimeUnit.MINUTES);
        long runSeconds = (System.nanoTime() - t0) / 1_000_000_000L;

        Map<Long, Integer> committed = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TrainerIT.readAll(clients, Topics.SNAPSHOTS)) {
            if (r.value() != null && SnapshotKeys.belongsTo(r.key(), MODEL)) {
                committed.merge(WeightSnapshotCodec.decode(r.value(), null).version(), 1, Integer::sum);
            }
        }
        long duplicated = committed.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
        long skipped = 0;
        for (long v = 1; v <= EPOCHS; v++) {
            skipped += committed.containsKey(v) ? 0 : 1;
        }
        double recovery = epochEnds.stream().filter(t -> t > killedAt.get()).findFirst()
                .map(t -> (t - killedAt.get()) / 1e9).orElse(Double.NaN);
        System.out.printf("snapshot-leader drill: node %d (leader of %s-0 and coordinator of %s) kill -9'ed at step %d;"
                        + " run %s at epoch %d after %d s; versions planned %d, committed %d, duplicated %d, skipped %d;"
                        + " first epoch after the kill ended %.1f s after it; waits: %s%n",
                victim.get(), Topics.SNAPSHOTS, SnapshotStore.transactionalId(MODEL), KILL_AT_STEP, result.state(), result.epoch(),
                runSeconds, EPOCHS, committed.size(), duplicated, skipped, recovery,
                states.stream().filter(s -> s.startsWith("WAITING_FOR_KAFKA")).toList());

        assertTrue(victim.get() > 0 && !cluster.node(victim.get()).isAlive(), "the leader was killed and stayed down");
        assertEquals(Trainer.State.COMPLETED, result.state(), result.detail() + " " + states);
        assertEquals(EPOCHS, result.epoch());
        List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= EPOCHS; v++) {
            expected.add(v);
        }
        assertEquals(expected, List.copyOf(committed.keySet()), "every version committed, none skipped");
        assertEquals(0, duplicated, "no version committed twice: " + committed);
    }

    /** Makes the trainer's transaction coordinator lead fmnist.snapshots too, then kills it; returns its node id. */
    private int alignAndKill() {
        try (Admin admin = cluster.admin()) {
            int coordinator = BrokerCluster.transactionCoordinatorOf(admin, SnapshotStore.transactionalId(MODEL));
            BrokerCluster.makeLeader(admin, Topics.SNAPSHOTS, 0, coordinator);
            cluster.kill(coordinator);
            return coordinator;
        } catch (Exception e) {
            throw new IllegalStateException("could not set up the drill", e);
        }
    }
}
