package dev.fmnist.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.SelfHealingRun;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingSettings;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trainer heals by itself: a run killed mid-way finishes its requested epochs after a restart
 * configured for fewer, and a broker stopped for 60 s in the middle of an epoch and started again on
 * the same port and data ends with the run complete. Plain {@link Trainer} runs on a 1,000/200-image
 * subset, a broker of its own (fixed port, so that it can come back on it).
 */
class ResilienceIT {
    static final SnapshotSigning SIGNING = SnapshotSigning.of(List.of("resilience-it-signing-key-32-bytes".getBytes(
            StandardCharsets.US_ASCII)));

    static Path dir;
    static KafkaBroker.Settings brokerSettings;
    static volatile KafkaBroker broker;
    static KafkaClients clients;

    @BeforeAll
    static void brokerAndData() throws Exception {
        dir = Files.createTempDirectory("resilience-it");
        brokerSettings = new KafkaBroker.Settings(dir, "localhost", freePort(), freePort(), Map.of());
        broker = KafkaBroker.start(brokerSettings);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Topics.ensure(admin, (short) 1);
        }
        FashionMnistData data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers())) {
            publisher.publish(data.datasetId(), data.train(), Split.TRAIN, 1_000, 256);
            publisher.publish(data.datasetId(), data.test(), Split.TEST, 200, 256);
        }
        clients = new KafkaClients(broker.bootstrapServers(), "resilience-it");
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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

    static TrainingSettings settings(String model, int epochs, Duration kafkaTimeout) {
        return new TrainingSettings(model, epochs, 0.1, 256, 3L, 0, true, true, false, 0, Duration.ZERO,
                Duration.ofSeconds(30), Duration.ofMillis(100), kafkaTimeout, Duration.ofMillis(200), 10_000);
    }

    static Trainer.Listener epochs(List<EpochSummary> into) {
        return new Trainer.Listener() {
            @Override
            public void epoch(EpochSummary summary) {
                into.add(summary);
            }
        };
    }

    @Test
    void aRunKilledMidWayIsFinishedByTheNextStartWithItsPlan() {
        String model = "killed";
        List<EpochSummary> before = new CopyOnWriteArrayList<>();
        // the "POSTed" run: 4 epochs at lr 0.1, seed 3; killed after its second epoch
        Trainer.Result killed = new Trainer(clients, settings(model, 4, Duration.ofSeconds(30)),
                new Trainer.Snapshots(SIGNING, 20, false), epochs(before)).run(() -> before.size() >= 2);
        assertEquals(Trainer.State.STOPPED, killed.state());
        assertEquals(2, killed.epoch());

        // the restarted service is configured for 2 epochs at another learning rate and seed: it follows the plan
        TrainingSettings configured = new TrainingSettings(model, 2, 0.5, 128, 9L, 0, true, true, false, 0,
                Duration.ZERO, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(30),
                Duration.ofMillis(200), 10_000);
        List<EpochSummary> after = new CopyOnWriteArrayList<>();
        Trainer restarted = new Trainer(clients, configured, new Trainer.Snapshots(SIGNING, 20, true), epochs(after));
        Trainer.Result done = restarted.run(() -> false);
        assertEquals(Trainer.State.COMPLETED, done.state(), done.detail());
        assertEquals(4, done.epoch());
        assertEquals(List.of(3, 4), after.stream().map(EpochSummary::epoch).toList());
        assertEquals(4, restarted.settings().epochs());
        assertEquals(0.1, restarted.settings().learningRate());
        assertEquals(256, restarted.settings().batchSize());
        assertEquals(3L, restarted.settings().seed());
        assertTrue(done.detail().startsWith("4 of 4 epochs done"), done.detail());
    }

    @Test
    void aBrokerDownForSixtySecondsMidEpochEndsWithTheRunComplete() throws Exception {
        String model = "outage";
        AtomicInteger steps = new AtomicInteger();
        List<EpochSummary> done = new CopyOnWriteArrayList<>();
        List<String> states = new CopyOnWriteArrayList<>();
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void step(long step, int samples, long nanos) {
                steps.incrementAndGet();
            }

            @Override
            public void epoch(EpochSummary summary) {
                done.add(summary);
            }

            @Override
            public void state(Trainer.State state, String detail) {
                states.add(state + ": " + detail);
            }
        };
        TrainingSettings four = settings(model, 4, Duration.ofSeconds(5));
        CompletableFuture<Trainer.Result> run = CompletableFuture.supplyAsync(() -> new SelfHealingRun(
                () -> new Trainer(clients, four, new Trainer.Snapshots(SIGNING, 20, false), listener), listener)
                .run(() -> false));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (done.isEmpty() || steps.get() < 6) {
            assertTrue(System.nanoTime() < deadline && !run.isDone(), "the run did not get into epoch 2: " + states);
            Thread.sleep(5);
        }
        broker.close();
        Thread.sleep(60_000);
        broker = KafkaBroker.start(brokerSettings);
        Trainer.Result result = run.get(240, TimeUnit.SECONDS);
        assertEquals(Trainer.State.COMPLETED, result.state(), result.detail() + " " + states);
        assertEquals(4, result.epoch());
        assertTrue(states.stream().anyMatch(s -> s.startsWith("WAITING_FOR_KAFKA: Kafka unavailable")), states.toString());

        List<Long> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TrainerIT.readAll(clients, Topics.SNAPSHOTS)) {
            if (r.value() != null && SnapshotKeys.belongsTo(r.key(), model)) {
                versions.add(WeightSnapshotCodec.decode(r.value(), SIGNING).version());
            }
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), versions, "one committed snapshot per epoch, none twice");
    }
}
