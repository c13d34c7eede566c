package dev.fmnist.trainer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.TestBroker;
import dev.fmnist.contracts.DeadLetters;
import dev.fmnist.contracts.ImageBatch;
import dev.fmnist.contracts.ImageBatchCodec;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.trainer.messaging.KafkaClients;
import dev.fmnist.trainer.messaging.TrainingData;
import dev.fmnist.trainer.service.EpochSummary;
import dev.fmnist.trainer.service.Trainer;
import dev.fmnist.trainer.service.TrainingSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What reaches training, on a real broker: the same images published with another batch size and with a
 * limit are trained once (content-level deduplication by position), a steady stream of uploads does not
 * hold readiness back, and an announcement that never completes (a forged total) is waited for only until
 * the readiness deadline, then reported as missing; an absurd total is a dead letter. Continuous mode reads
 * through the process's train mirror: an image it trained on in an epoch is not trained on again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataIntakeIT {
    static final int TRAIN = 3_000;
    static final int TEST = 500;

    @RegisterExtension
    static final TestBroker broker = TestBroker.withPipelineTopics();
    static KafkaClients clients;
    static FashionMnistData data;

    @BeforeAll
    static void data() {
        data = FashionMnistData.load(Path.of(System.getProperty("fmnist.test.data-dir")));
        clients = new KafkaClients(broker.bootstrapServers(), "data-intake-it");
    }

    static TrainingSettings settings(String model, int epochs) {
        return new TrainingSettings(model, epochs, 0.1, 256, 3L, 0, true, true, false, 0, Duration.ZERO,
                Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofMillis(200), 10_000);
    }

    @Test
    @Order(1)
    void theSameImagesInAnotherBatchSizeOrLimitAreTrainedOnceAndUploadsDoNotHoldReadinessBack() throws Exception {
        AtomicBoolean uploading = new AtomicBoolean(true);
        AtomicInteger uploads = new AtomicInteger();
        try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers())) {
            publisher.publishPositioned(data.datasetId(), data.train(), Split.TRAIN, TRAIN, 256);
            publisher.publishPositioned(data.datasetId(), data.test(), Split.TEST, TEST, 256);
            // the same images again, in batches of 100, and a publication limited to the first 1,000
            publisher.publishPositioned(data.datasetId(), data.train(), Split.TRAIN, TRAIN, 100);
            publisher.publishPositioned(data.datasetId(), data.train(), Split.TRAIN, 1_000, 256);
            // unlabelled user images every 100 ms: the end offsets never settle while the run waits for data
            CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
                while (uploading.get()) {
                    int i = uploads.incrementAndGet();
                    ImageBatch upload = new ImageBatch("user-images", "upload-" + i, Split.USER, 0, 0, 28, 28,
                            new byte[] {(byte) ImageBatch.UNLABELLED}, new byte[784]);
                    publisher.sendAndWait(Topics.TRAIN, ("upload-" + i).getBytes(StandardCharsets.UTF_8),
                            ImageBatchCodec.encode(upload));
                    TrainerIT.sleep(100); // the stream's pace: a new upload every 100 ms
                }
            });
            await("the upload stream started").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> uploads.get() >= 3);
            int atStart = uploads.get();
            RunWatch report = new RunWatch();
            try {
                // no readiness deadline: the run must find the data ready by the rule alone
                Trainer.Result result = CompletableFuture.supplyAsync(() -> new Trainer(clients, settings("dedup", 1),
                        new Trainer.Snapshots(null, 5, false), report).run(() -> false)).get(120, TimeUnit.SECONDS);
                assertEquals(Trainer.State.COMPLETED, result.state(), result.detail() + " " + report.states);
            } finally {
                uploading.set(false);
                stream.get(30, TimeUnit.SECONDS);
            }
            assertTrue(uploads.get() > atStart, "uploads were streamed during the run: " + atStart + " before it, "
                    + uploads.get() + " in all");
            assertEquals(1, report.epochs.size());
            EpochSummary epoch = report.epochs.get(0);
            System.out.printf("3 publications of the same %d images (bs256, bs100, limit 1000), %d uploads: "
                    + "%d samples trained, %d test samples%n", TRAIN, uploads.get(), epoch.samples(), epoch.testSamples());
            assertEquals(TRAIN, epoch.samples(), "each image once, however often and in whatever batches it was sent");
            assertEquals(TEST, epoch.testSamples());
            assertEquals(List.of(), report.missing);
        }
    }

    @Test
    @Order(2)
    void anAnnouncementThatNeverCompletesIsWaitedForOnlyUntilTheDeadline() throws Exception {
        try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers())) {
            // a plausible forged announcement: batch 7 of 200 of a dataset whose other batches never come
            ImageBatch forged = new ImageBatch("forged", "forged/7", Split.TRAIN, 7, 200, 28, 28, new byte[] {4},
                    new byte[784]);
            publisher.sendAndWait(Topics.TRAIN, "forged/7".getBytes(StandardCharsets.UTF_8), ImageBatchCodec.encode(forged));
            // an absurd one: 2^31-1 batches (the encoder refuses it, so the bytes are forged by hand)
            byte[] absurd = ImageBatchCodec.encode(new ImageBatch("absurd", "absurd/0", Split.TRAIN, 0, 0, 28, 28,
                    new byte[] {4}, new byte[784]));
            ByteBuffer.wrap(absurd).putInt(22, Integer.MAX_VALUE);
            CRC32C crc = new CRC32C();
            crc.update(absurd, 0, absurd.length - 4);
            ByteBuffer.wrap(absurd).putInt(absurd.length - 4, (int) crc.getValue());
            publisher.sendAndWait(Topics.TRAIN, "absurd/0".getBytes(StandardCharsets.UTF_8), absurd);
        }
        RunWatch report = new RunWatch();
        Duration deadline = Duration.ofSeconds(5);
        long t0 = System.nanoTime();
        Trainer.Result result = CompletableFuture.supplyAsync(() -> new Trainer(clients, settings("deadline", 1),
                new Trainer.Snapshots(null, 5, false), deadline, report).run(() -> false)).get(120, TimeUnit.SECONDS);
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Trainer.State.COMPLETED, result.state(), result.detail() + " " + report.states);
        assertTrue(waited >= deadline.toMillis(), "waited " + waited + " ms");
        // (the WAITING_FOR_DATA state naming it is reported only when the first readiness check ends before the
        // deadline, which a loaded machine need not manage; what is missing is reported either way)
        assertEquals(List.of(Topics.TRAIN + " forged TRAIN of 200 batches: 1 of 200 batches"), report.missing);
        // trained on what is there: the 3,000 images and the forged batch's one image, not the absurd record
        assertEquals(TRAIN + 1, report.epochs.get(0).samples());
        List<String> reasons = TrainerIT.readAll(clients, Topics.DEAD_LETTER).stream()
                .map(ConsumerRecord::headers).map(h -> DeadLetters.header(h, DeadLetters.REASON)).toList();
        System.out.printf("deadline %d s, trained after %d ms; missing %s; dead letters %s%n", deadline.toSeconds(),
                waited, report.missing, reasons);
        assertTrue(reasons.stream().anyMatch(r -> r.contains("exceeds what a split can hold")), reasons.toString());
    }

    @Test
    @Order(3)
    void continuousModeTrainsWhatTheMirrorHoldsPastTheLineageAndNothingItTrainedBefore() throws Exception {
        try (DatasetPublisher publisher = new DatasetPublisher(broker.bootstrapServers());
             TrainingData shared = new TrainingData(clients, 784, Duration.ofSeconds(30), Duration.ofMillis(100))) {
            publisher.sendAndWait(Topics.TRAIN, "late-0".getBytes(StandardCharsets.UTF_8),
                    ImageBatchCodec.encode(TrainerIT.userBatch("late-0", data, 0, 200, 200)));
            List<WeightSnapshot> published = new CopyOnWriteArrayList<>();
            Trainer.Listener snapshots = new Trainer.Listener() {
                @Override
                public void snapshot(WeightSnapshot snapshot) {
                    published.add(snapshot);
                }
            };
            // one epoch through the shared mirror (the forged announcement of test 2 is waited for 1 s)
            Trainer.Result epoch = new Trainer(clients, settings("mirror", 1), new Trainer.Snapshots(null, 5, false),
                    Duration.ofSeconds(1), shared, snapshots).run(() -> false);
            assertEquals(Trainer.State.COMPLETED, epoch.state(), epoch.detail());
            long lineage = published.get(0).lineage().get(0).offset();
            // after the epoch: late-0 again (trained in the epoch) and late-1 (new), both read by the mirror
            // before continuous mode starts, as the next run's readiness check would
            publisher.sendAndWait(Topics.TRAIN, "late-0".getBytes(StandardCharsets.UTF_8),
                    ImageBatchCodec.encode(TrainerIT.userBatch("late-0", data, 0, 200, 200)));
            publisher.sendAndWait(Topics.TRAIN, "late-1".getBytes(StandardCharsets.UTF_8),
                    ImageBatchCodec.encode(TrainerIT.userBatch("late-1", data, 200, 200, 200)));
            assertTrue(shared.train().refresh(() -> false, (r, reason) -> { }) != null);
            TrainingSettings continuous = new TrainingSettings("mirror", 1, 0.1, 256, 3L, 0, true, true, true, 0,
                    Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofSeconds(30),
                    Duration.ofMillis(200), 10_000);
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Trainer.Result> running = CompletableFuture.supplyAsync(() -> new Trainer(clients,
                    continuous, new Trainer.Snapshots(null, 5, false), Duration.ZERO, shared, snapshots).run(stop::get));
            await("a continuous snapshot").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> published.size() >= 2);
            stop.set(true);
            assertEquals(Trainer.State.STOPPED, running.get(30, TimeUnit.SECONDS).state());
            WeightSnapshot online = published.get(1);
            assertEquals(epoch.step() + 1, online.step(), "late-1's 200 images: one step; late-0's were trained");
            assertEquals(lineage + 2, online.lineage().get(0).offset());
        }
    }
}
