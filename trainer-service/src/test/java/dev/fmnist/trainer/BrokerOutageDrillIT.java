package dev.fmnist.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.FreePorts;
import dev.fmnist.broker.testing.BrokerProcess;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.SelfHealingRun;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run heals by itself after a broker outage in the middle of epoch 2: the {@code ./fmnist} broker
 * process stopped with SIGSTOP for 60 s (its sockets stay open, nothing answers) and continued with SIGCONT;
 * and killed with SIGKILL and started again 60 s later on the same ports and data. Each run ends COMPLETED
 * with one committed snapshot per epoch, nothing done by hand. 3,000 / 500 images, 3 epochs.
 */
class BrokerOutageDrillIT {
    static final Duration OUTAGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    BrokerProcess broker;

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aBrokerFrozenForSixtySecondsMidEpochEndsWithTheRunComplete() throws Exception {
        runThroughAnOutage("frozen", () -> broker.freeze(), () -> broker.thaw());
    }

    @Test
    void aBrokerKilledMidEpochAndRestartedSixtySecondsLaterEndsWithTheRunComplete() throws Exception {
        runThroughAnOutage("killed", () -> broker.kill(), () -> broker.restart());
    }

    /**
     * Trains 3 epochs; at step 16 (epoch 2, on the training thread, so it is mid-epoch) the outage begins, and
     * it ends 60 s later. The run must end COMPLETED with one committed snapshot per epoch.
     */
    void runThroughAnOutage(String model, Runnable down, Runnable up) throws Exception {
        int[] brokerPorts = FreePorts.take(2);
        broker = BrokerProcess.start(dir.resolve("kafka"), brokerPorts[0], brokerPorts[1]);
        FashionMnistData data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers())) {
            publisher.publishPositioned(data.datasetId(), data.train(), Split.TRAIN, 3_000, 256);
            publisher.publishPositioned(data.datasetId(), data.test(), Split.TEST, 500, 256);
        }
        KafkaClients clients = new KafkaClients(broker.bootstrapServers(), "broker-outage-it");
        AtomicLong downAt = new AtomicLong();
        CompletableFuture<Long> backAt = new CompletableFuture<>();
        RunWatch listener = new RunWatch() {
            @Override
            public void step(long step, int samples, long nanos) {
                super.step(step, samples, nanos);
                // 12 steps an epoch: step 16 is in epoch 2
                if (step == 16 && downAt.compareAndSet(0, System.nanoTime())) {
                    down.run();
                    CompletableFuture.runAsync(() -> {
                        TrainerIT.sleep(OUTAGE.toMillis()); // the outage itself: the point of the test
                        up.run();
                        backAt.complete(System.nanoTime());
                    });
                }
            }
        };
        List<EpochSummary> epochs = listener.epochs;
        List<String> states = listener.states;
        TrainingSettings three = new TrainingSettings(model, 3, 0.1, 256, 3L, 0, true, true, false, 0, Duration.ZERO,
                Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofMillis(200), 10_000);
        long t0 = System.nanoTime();
        Trainer.Result result = CompletableFuture.supplyAsync(() -> new SelfHealingRun(
                () -> new Trainer(clients, three, new Trainer.Snapshots(null, 20, false), listener), listener)
                .run(() -> false)).get(5, TimeUnit.MINUTES);
        long outage = (backAt.get(2, TimeUnit.MINUTES) - downAt.get()) / 1_000_000_000L;
        System.out.printf("%s: broker down %d s from step 16; run %s after %d s: %s%n", model, outage, result.state(),
                (System.nanoTime() - t0) / 1_000_000_000L, states.stream().filter(s -> s.startsWith("WAITING_FOR_KAFKA"))
                        .toList());
        assertTrue(outage >= OUTAGE.toSeconds(), "the broker was back after " + outage + " s");
        assertEquals(Trainer.State.COMPLETED, result.state(), result.detail() + " " + states);
        assertEquals(3, result.epoch());
        assertTrue(states.stream().anyMatch(s -> s.startsWith("WAITING_FOR_KAFKA: Kafka unavailable")), states.toString());

        List<Long> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TrainerIT.readAll(clients, Topics.SNAPSHOTS)) {
            if (r.value() != null && SnapshotKeys.belongsTo(r.key(), model)) {
                versions.add(WeightSnapshotCodec.decode(r.value(), null).version());
            }
        }
        assertEquals(List.of(1L, 2L, 3L), versions, "one committed snapshot per epoch, none twice");
    }

}
