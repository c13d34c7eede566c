package dev.fmnist.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.TestBroker;
import dev.fmnist.contracts.SnapshotSigning;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trainer heals by itself: a run killed mid-way finishes its requested epochs after a restart
 * configured for fewer. Plain {@link Trainer} runs on a 1,000/200-image subset, a broker of its own.
 * (Broker outages mid-epoch, killed and frozen for 60 s: {@link BrokerOutageDrillIT}.)
 */
class ResilienceIT {
    static final SnapshotSigning SIGNING = SnapshotSigning.signer(SnapshotSigning.generatePrivateKey(), null);

    @RegisterExtension
    static final TestBroker broker = TestBroker.withPipelineTopics();
    static KafkaClients clients;

    @BeforeAll
    static void data() {
        FashionMnistData data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers())) {
            publisher.publish(data.datasetId(), data.train(), Split.TRAIN, 1_000, 256);
            publisher.publish(data.datasetId(), data.test(), Split.TEST, 200, 256);
        }
        clients = new KafkaClients(broker.bootstrapServers(), "resilience-it");
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
        // the "POSTed" run: 4 epochs at lr 0.1, seed 3 (4 steps each); killed in its third epoch's steps
        RunWatch watch = new RunWatch();
        Trainer.Result killed = new Trainer(clients, settings(model, 4, Duration.ofSeconds(30)),
                new Trainer.Snapshots(SIGNING, 20, false), watch).run(watch.stopAfterStep(2 * 4 + 1));
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
}
