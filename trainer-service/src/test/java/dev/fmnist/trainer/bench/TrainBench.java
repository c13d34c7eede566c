package dev.fmnist.trainer.bench;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.trainer.DatasetPublisher;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.model.Recipe;
import dev.fmnist.trainer.model.SoftmaxRegression;
import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The full seed run through a real broker: starts an in-JVM KRaft broker, publishes all 70,000
 * Fashion-MNIST images as ImageBatches of 256, trains 10 epochs with the trainer (every epoch
 * replays the train topic; every test evaluation covers the whole test topic) and prints the epoch
 * table with the time breakdown. Run with {@code trainer-service/bench/train-bench.sh}.
 *
 * <p>Arguments: {@code [data-dir] [epochs] [torch-threads] [family]} (threads default 1, as the service; 0 = PyTorch
 * default; family default softmax, trained with its recipe's learning rate).
 */
public final class TrainBench {
    private TrainBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : System.getProperty("fmnist.test.data-dir",
                "../shared/data/fashion-mnist"));
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        ModelFamily family = ModelFamily.parse(args.length > 3 ? args[3] : "softmax");
        Path brokerDir = Files.createTempDirectory("fmnist-bench-kafka-");
        try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(brokerDir))) {
            KafkaClients clients = new KafkaClients(broker.bootstrapServers(), "trainer-bench");
            try (var admin = clients.admin()) {
                Topics.ensure(admin, (short) 1);
            }
            long p0 = System.nanoTime();
            FashionMnistData data = FashionMnistData.load(dataDir);
            int trainBatches;
            int testBatches;
            try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers())) {
                trainBatches = publisher.publish(data.datasetId(), data.train(), Split.TRAIN, Integer.MAX_VALUE, 256);
                testBatches = publisher.publish(data.datasetId(), data.test(), Split.TEST, Integer.MAX_VALUE, 256);
            }
            System.out.printf(Locale.ROOT, "published %d train + %d test batches (%d + %d images) in %.1f s%n",
                    trainBatches, testBatches, data.train().count(), data.test().count(), (System.nanoTime() - p0) / 1e9);

            SoftmaxRegression.configureThreads(threads);
            TrainingSettings settings = new TrainingSettings(family.modelName() + "-bench", epochs,
                    Recipe.of(family).learningRate(), 256, 0L, 0, true, true, false, 0, Duration.ZERO,
                    Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofMillis(200), 1_000,
                    family);
            long t0 = System.nanoTime();
            List<EpochSummary> history = Collections.synchronizedList(new ArrayList<>());
            long[] firstEpochStart = {0};
            new Trainer(clients, settings, new Trainer.Snapshots(null, 20, false), new Trainer.Listener() {
                @Override
                public void state(Trainer.State state, String detail) {
                    if (state == Trainer.State.TRAINING && firstEpochStart[0] == 0) {
                        firstEpochStart[0] = System.nanoTime();
                    }
                }

                @Override
                public void epoch(EpochSummary summary) {
                    history.add(summary);
                }
            }).run(() -> false);
            long end = System.nanoTime();
            System.out.println(family.id() + ": " + Recipe.of(family));
            print(List.copyOf(history), (end - t0) / 1e9, (end - firstEpochStart[0]) / 1e9, threads);
        } finally {
            try (Stream<Path> paths = Files.walk(brokerDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void print(List<EpochSummary> history, double total, double epochsWall, int threads) {
        System.out.println();
        System.out.println("epoch  train_loss  train_acc  test_acc  seconds | read (decode)  shuffle  steps  await"
                + " | eval  publish (s)");
        double sum = 0;
        for (EpochSummary e : history) {
            sum += e.seconds();
            EpochSummary.Timings t = e.timings();
            System.out.printf(Locale.ROOT, "%5d  %10.4f  %9.4f  %8.4f  %7.3f | %.3f (%.3f)  %.3f    %.3f  %.3f | %.3f  %.3f%s%n",
                    e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.seconds(), t.read(), t.decode(),
                    t.shuffle(), t.train(), t.await(), t.evaluate(), t.publish(),
                    t.background() ? "  (beside the next epoch's steps)" : "");
        }
        System.out.printf(Locale.ROOT, "%nepochs' wall time %.3f s from the first epoch's start to the run's end;"
                + " their seconds add up to %.3f s%n", epochsWall, sum);
        if (!history.isEmpty()) {
            EpochSummary last = history.get(history.size() - 1);
            System.out.printf(Locale.ROOT, "%nmean %.3f s/epoch over %d epochs (%d train samples, %d steps, %d test "
                            + "samples per epoch); run total %.1f s incl. resume scan and data wait; torch threads %s%n",
                    sum / history.size(), history.size(), last.samples(), last.counts().steps(), last.testSamples(), total,
                    threads > 0 ? threads : "default");
        }
    }
}
