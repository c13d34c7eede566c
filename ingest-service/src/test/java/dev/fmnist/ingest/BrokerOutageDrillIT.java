package dev.fmnist.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.FreePorts;
import dev.fmnist.broker.testing.BrokerProcess;
import dev.fmnist.contracts.Split;
import dev.fmnist.contracts.Topics;
import dev.fmnist.ingest.dataset.DatasetLocator;
import dev.fmnist.ingest.dataset.DatasetPlanner;
import dev.fmnist.api.PublishStatus;
import dev.fmnist.ingest.dataset.PublishJob;
import dev.fmnist.ingest.dataset.PublishPlan;
import dev.fmnist.ingest.messaging.ProducerSettings;
import dev.fmnist.ingest.messaging.PublishedBatchReader;
import dev.fmnist.ingest.testing.TopicReader;
import dev.fmnist.support.kafka.KafkaClientFactory;
import dev.fmnist.support.topics.TopicInitializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset publication heals by itself: the broker (the {@code ./fmnist} broker process) killed with
 * SIGKILL, or frozen with SIGSTOP, in the middle of sending and back 60 s later; and a publication started
 * while no broker runs yet (publish-on-start before Kafka). Each ends SUCCEEDED with every batch on the
 * topics, nothing done by hand. Plain {@link PublishJob}s, set up as the service sets them up (its producer
 * settings, topic initializer and published-batch reader); the whole dataset, so that the outage begins with
 * most batches still to send.
 */
class BrokerOutageDrillIT {
    static final Duration OUTAGE = Duration.ofSeconds(60);
    /** The outage starts when this many batches are acknowledged (of 275). */
    static final int ACKED_BEFORE_OUTAGE = 20;

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
    void aBrokerKilledMidPublicationAndBackSixtySecondsLaterEndsWithThePublicationComplete() throws Exception {
        int[] brokerPorts = FreePorts.take(2);
        broker = BrokerProcess.start(dir.resolve("kafka"), brokerPorts[0], brokerPorts[1]);
        Outage outage = new Outage(() -> broker.kill(), () -> broker.restart());
        Run run = start(broker.bootstrapServers(), outage);
        run.assertCompleteAfterAnOutage(outage);
    }

    @Test
    void aBrokerFrozenMidPublicationForSixtySecondsEndsWithThePublicationComplete() throws Exception {
        int[] brokerPorts = FreePorts.take(2);
        broker = BrokerProcess.start(dir.resolve("kafka"), brokerPorts[0], brokerPorts[1]);
        Outage outage = new Outage(() -> broker.freeze(), () -> broker.thaw());
        Run run = start(broker.bootstrapServers(), outage);
        run.assertCompleteAfterAnOutage(outage);
    }

    @Test
    void aPublicationStartedBeforeTheBrokerWaitsForIt() throws Exception {
        int[] ports = FreePorts.take(2);
        int port = ports[0];
        int controllerPort = ports[1];
        Run run = start("localhost:" + port, null);
        await("waiting for Kafka").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> run.states.contains(PublishStatus.State.WAITING_FOR_KAFKA));
        assertTrue(run.job.status().waitingFor().startsWith("Kafka unavailable"), run.job.status().toString());
        broker = BrokerProcess.start(dir.resolve("kafka"), port, controllerPort);
        run.awaitEnd();
        run.assertSucceededWithEveryBatch();
    }

    /** Starts a publication of the whole dataset; the outage (if any) begins at the 20th acknowledged batch. */
    Run start(String bootstrap, Outage outage) {
        KafkaClientFactory kafka = KafkaClientFactory.forBootstrap(bootstrap);
        Producer<String, byte[]> producer = ProducerSettings.defaults().producer(kafka, "broker-outage-it");
        Path data = Path.of(System.getProperty("fmnist.test.data-dir"));
        DatasetLocator locator = new DatasetLocator(Optional.of(data), dir.resolve("none"), dir.resolve("cache"),
                Optional.empty());
        PublishJob.Options options = new PublishJob.Options(256, 0, 0, true, Duration.ofSeconds(1));
        Run run = new Run(producer, bootstrap);
        TopicInitializer topics = new TopicInitializer(kafka, (short) 1);
        run.job = new PublishJob("outage-it", locator, producer, new PublishedBatchReader(kafka, Duration.ofSeconds(20)),
                options, new PublishJob.Listener() {
                    @Override
                    public void batchAcked(Split split, int images, int bytes) {
                        // on the producer's I/O thread: the outage begins before the next acknowledgement is handled
                        if (run.acked.incrementAndGet() == ACKED_BEFORE_OUTAGE && outage != null) {
                            outage.begin();
                        }
                    }

                    @Override
                    public void waitingForKafka(PublishJob job) {
                        run.states.add(job.state());
                        run.waits.add(job.status().waitingFor());
                    }

                    @Override
                    public void finished(PublishJob job) {
                    }
                }, topics::ensure);
        run.future = CompletableFuture.runAsync(run.job);
        return run;
    }

    /** Begins on the I/O thread (synchronously), ends 60 s later on a thread of its own. */
    static final class Outage {
        final Runnable down;
        final Runnable up;
        volatile long beganNanos;
        volatile long endedNanos;
        volatile int ackedAtStart = -1;
        CompletableFuture<Void> end;

        Outage(Runnable down, Runnable up) {
            this.down = down;
            this.up = up;
        }

        void begin() {
            down.run();
            beganNanos = System.nanoTime();
            end = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(OUTAGE.toMillis()); // the outage itself: the point of the test
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                up.run();
                endedNanos = System.nanoTime();
            });
        }
    }

    static final class Run {
        final Producer<String, byte[]> producer;
        final String bootstrap;
        final AtomicInteger acked = new AtomicInteger();
        final List<PublishStatus.State> states = new CopyOnWriteArrayList<>();
        final List<String> waits = new CopyOnWriteArrayList<>();
        PublishJob job;
        CompletableFuture<Void> future;

        Run(Producer<String, byte[]> producer, String bootstrap) {
            this.producer = producer;
            this.bootstrap = bootstrap;
        }

        void awaitEnd() throws Exception {
            future.get(6, TimeUnit.MINUTES);
        }

        void assertCompleteAfterAnOutage(Outage outage) throws Exception {
            awaitEnd();
            outage.end.get(2, TimeUnit.MINUTES);
            assertTrue(outage.beganNanos > 0, "the outage never began: " + job.status());
            assertTrue(states.contains(PublishStatus.State.WAITING_FOR_KAFKA), "never waited for Kafka: " + job.status());
            long downFor = (outage.endedNanos - outage.beganNanos) / 1_000_000_000L;
            System.out.printf("outage %d s; the job waited %d times: %s%n", downFor, waits.size(), waits);
            assertTrue(downFor >= OUTAGE.toSeconds(), "the broker was back after " + downFor + " s");
            assertSucceededWithEveryBatch();
        }

        void assertSucceededWithEveryBatch() {
            PublishStatus status = job.status();
            producer.close(Duration.ofSeconds(5));
            assertEquals(PublishStatus.State.SUCCEEDED, status.state(), status.toString());
            assertEquals(70_000, status.totalImages());
            assertEquals(status.totalImages(), status.publishedImages() + status.skippedImages(), status.toString());
            assertTrue(status.kafkaRetries() >= 1, status.toString());
            PublishPlan plan = DatasetPlanner.plan(DatasetPlanner.load(Path.of(System.getProperty("fmnist.test.data-dir"))),
                    256, 0, 0);
            try (TopicReader reader = new TopicReader(bootstrap)) {
                for (String topic : List.of(Topics.TRAIN, Topics.TEST)) {
                    Set<String> keys = new HashSet<>();
                    reader.readFrom(topic, 0).forEach(r -> keys.add(r.key()));
                    Set<String> planned = plan.batchIdsByTopic().get(topic);
                    assertTrue(keys.containsAll(planned), topic + " lacks " + planned.stream()
                            .filter(k -> !keys.contains(k)).limit(5).toList());
                }
            }
            System.out.printf("%s after %d Kafka retries: %s%n", status.state(), status.kafkaRetries(), status.result());
        }
    }

}
