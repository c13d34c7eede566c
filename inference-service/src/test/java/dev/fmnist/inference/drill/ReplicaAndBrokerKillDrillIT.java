package dev.fmnist.inference.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.broker.testing.BrokerCluster;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.support.ReplicaProcess;
import dev.fmnist.inference.support.RequestStream;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25's replica drill, on a three-broker KRaft cluster (BrokerCluster: three broker processes, topics with
 * replication factor 3 and min.insync.replicas 2): three inference replicas (the packaged service as processes)
 * share fmnist.requests in group fmnist-inference; a stream of 20,000 requests (test images, ids drill-0..19999)
 * is sent, and while it is answered one replica is {@code kill -9}ed and then the broker coordinating the group.
 * Every id must be answered at least once on fmnist.predictions (none lost); duplicates are counted and must not
 * exceed the requests that were answered but not yet committed when each kill happened (what Kafka's at-least-once
 * delivery redelivers to the partitions' next owner); REST on the two surviving replicas must answer every request
 * with 200 throughout. Prints sent / answered / duplicated / lost, and each kill's recovery time.
 * Runs in the {@code drills} profile ({@code mvn verify -Pdrills -pl inference-service}), a few minutes.
 */
class ReplicaAndBrokerKillDrillIT {
    private static final int REQUESTS = 20_000;
    private static final int CHUNK = 500;
    private static final String RUN = "drill";
    private static final String GROUP = "fmnist-inference";
    private static final Pattern LAG_ROW = Pattern.compile(
            "(?m)^fmnist_inference_requests_lag\\{group=\"fmnist-inference\",partition=\"(\\d+)\",topic=\"fmnist.requests\"}");
    private static final List<AutoCloseable> OPEN = new ArrayList<>();

    @TempDir
    static Path work;

    @AfterAll
    static void stopEverything() throws Exception {
        for (int i = OPEN.size() - 1; i >= 0; i--) {
            OPEN.get(i).close();
        }
    }

    @Test
    void everyRequestIsAnsweredWhenAReplicaAndABrokerAreKilledMidStream() throws Exception {
        BrokerCluster cluster = open(BrokerCluster.start(work.resolve("cluster"), 3));
        String bootstrap = cluster.bootstrapServers();
        publishSnapshot(bootstrap);
        List<ReplicaProcess> replicas = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            replicas.add(open(ReplicaProcess.start("replica-" + r, bootstrap, Path.of("target/drill-logs"))));
        }
        for (ReplicaProcess replica : replicas) {
            await(replica.name() + " ready (model loaded)", Duration.ofSeconds(180), replica::ready);
        }
        // every replica owns partitions before the stream starts: a rebalance mid-stream is the drill's, not startup's
        await("the group's 6 partitions spread over the 3 replicas", Duration.ofSeconds(90),
                () -> replicas.stream().allMatch(r -> !ownedPartitions(r).isEmpty())
                        && replicas.stream().mapToInt(r -> ownedPartitions(r).size()).sum() == Topics.REQUEST_PARTITIONS);

        ReplicaProcess victim = replicas.get(2);
        RestProbe rest = open(new RestProbe(List.of(replicas.get(0), replicas.get(1))));
        FashionMnistData.Split test = SoftmaxFit.data().test();
        try (Admin admin = cluster.admin();
             RequestStream stream = new RequestStream(bootstrap, test);
             RequestStream.Answers answers = stream.answers(RUN)) {
            Thread sender = new Thread(() -> {
                for (int from = 0; from < REQUESTS; from += CHUNK) {
                    stream.send(RUN, from, CHUNK);
                    pause(200);
                }
            }, "drill-sender");
            AtomicLong sendFailure = new AtomicLong();
            sender.setUncaughtExceptionHandler((t, e) -> {
                sendFailure.incrementAndGet();
                e.printStackTrace();
            });
            long start = System.nanoTime();
            sender.start();

            // kill -9 of a replica while its partitions are busy
            await("5,000 answered", Duration.ofSeconds(120), () -> answers.answered() >= 5_000);
            Set<Integer> orphaned = ownedPartitions(victim);
            Map<Integer, Long> committedBeforeReplicaKill = committed(admin);
            victim.kill();
            long replicaKilled = System.currentTimeMillis();

            // kill -9 of the broker coordinating the group (its offsets partition's leader)
            await("10,000 answered", Duration.ofSeconds(180), () -> answers.answered() >= 10_000);
            int coordinator = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).coordinator().id();
            Set<Integer> ledByIt = new TreeSet<>();
            for (int p = 0; p < Topics.REQUEST_PARTITIONS; p++) {
                if (BrokerCluster.leaderOf(admin, Topics.REQUESTS, p) == coordinator) {
                    ledByIt.add(p);
                }
            }
            Map<Integer, Long> committedBeforeBrokerKill = committed(admin);
            Map<Integer, Long> endBeforeBrokerKill = endOffsets(admin);
            cluster.kill(coordinator);
            long brokerKilled = System.currentTimeMillis();

            sender.join(Duration.ofMinutes(4).toMillis());
            assertEquals(0, sendFailure.get(), "every request was acknowledged by the cluster (acks=all, min ISR 2)");
            await("all " + REQUESTS + " answered", Duration.ofSeconds(180), () -> answers.answered() >= REQUESTS);
            long done = answers.lastNewAnswerNanos();
            pause(3_000); // late duplicates (redeliveries) are counted too
            rest.close();

            // computed now that every request's partition and offset is known
            Set<Integer> all = new TreeSet<>();
            for (int p = 0; p < Topics.REQUEST_PARTITIONS; p++) {
                all.add(p);
            }
            long uncommittedAtReplicaKill = answeredPastCommitted(stream, answers, committedBeforeReplicaKill, orphaned,
                    replicaKilled);
            long uncommittedAtBrokerKill = answeredPastCommitted(stream, answers, committedBeforeBrokerKill, all,
                    brokerKilled);
            int answered = answers.answered();
            long duplicates = answers.duplicates();
            int lost = REQUESTS - answered;
            double replicaRecovery = recovery(stream, answers, orphaned, Map.of(), replicaKilled);
            double brokerRecovery = recovery(stream, answers, ledByIt.isEmpty() ? all : ledByIt, endBeforeBrokerKill,
                    brokerKilled);
            System.out.printf("drill: sent %d, answered %d, duplicated %d, lost %d; in %.1f s%n", REQUESTS, answered,
                    duplicates, lost, (done - start) / 1e9);
            System.out.printf("drill: replica %s killed (partitions %s): answered again after %.1f s; %d answered but "
                            + "uncommitted at the kill%n", victim.name(), orphaned, replicaRecovery, uncommittedAtReplicaKill);
            System.out.printf("drill: broker %d killed (group coordinator, leader of requests partitions %s): answered "
                            + "again after %.1f s; %d answered but uncommitted at the kill%n", coordinator, ledByIt,
                    brokerRecovery, uncommittedAtBrokerKill);
            System.out.printf("drill: REST on the survivors: %d answered 200, %d other statuses, %d failed calls%n",
                    rest.ok.get(), rest.other.get(), rest.failed.get());

            assertEquals(List.of(), answers.missing(RUN, REQUESTS, 20), "requests never answered");
            assertEquals(0, lost);
            assertEquals(0, answers.mismatched(), "every prediction is keyed by its request id");
            assertTrue(duplicates <= uncommittedAtReplicaKill + uncommittedAtBrokerKill,
                    "duplicates " + duplicates + " bounded by the answered-but-uncommitted requests at the kills ("
                            + uncommittedAtReplicaKill + " + " + uncommittedAtBrokerKill + ")");
            assertTrue(rest.ok.get() > 0, "REST was probed");
            assertEquals(0, rest.other.get() + rest.failed.get(), "REST on the surviving replicas kept answering 200");
        }
    }

    /** The partitions of fmnist.requests the replica owns now: the rows of its per-partition lag gauge. */
    private static Set<Integer> ownedPartitions(ReplicaProcess replica) {
        Set<Integer> owned = new TreeSet<>();
        Matcher m = LAG_ROW.matcher(replica.metrics());
        while (m.find()) {
            owned.add(Integer.parseInt(m.group(1)));
        }
        return owned;
    }

    /** The group's committed offset on each partition of fmnist.requests (0 when none). */
    private static Map<Integer, Long> committed(Admin admin) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        Map<Integer, Long> byPartition = new HashMap<>();
        for (int p = 0; p < Topics.REQUEST_PARTITIONS; p++) {
            OffsetAndMetadata o = offsets.get(new TopicPartition(Topics.REQUESTS, p));
            byPartition.put(p, o == null ? 0 : o.offset());
        }
        return byPartition;
    }

    /** The log end offset of each partition of fmnist.requests. */
    private static Map<Integer, Long> endOffsets(Admin admin) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < Topics.REQUEST_PARTITIONS; p++) {
            latest.put(new TopicPartition(Topics.REQUESTS, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /**
     * Requests on {@code partitions} at or past the committed offset read before the kill that had been answered
     * by the kill: what the partitions' next owner may answer again. An upper bound: offsets committed between the
     * reading and the kill are not subtracted.
     */
    private static long answeredPastCommitted(RequestStream stream, RequestStream.Answers answers,
                                              Map<Integer, Long> committed, Set<Integer> partitions, long killedAt) {
        long n = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String id = RequestStream.id(RUN, i);
            int p = stream.partitionOf(id);
            Long first = answers.firstAnswerMillis(id);
            if (p >= 0 && partitions.contains(p) && stream.offsetOf(id) >= committed.get(p)
                    && first != null && first <= killedAt) {
                n++;
            }
        }
        return n;
    }

    /**
     * Seconds from the kill until every one of {@code partitions} had a request answered for the first time after
     * it, counting only requests at or past {@code fromOffsets} (the log ends at a broker kill: requests sent after
     * it, which need the new leaders; none for a replica kill, where any answer after it is another replica's).
     */
    private static double recovery(RequestStream stream, RequestStream.Answers answers, Set<Integer> partitions,
                                   Map<Integer, Long> fromOffsets, long killedAt) {
        Map<Integer, Long> firstAfter = new HashMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            String id = RequestStream.id(RUN, i);
            int p = stream.partitionOf(id);
            Long first = answers.firstAnswerMillis(id);
            if (partitions.contains(p) && first != null && first > killedAt
                    && stream.offsetOf(id) >= fromOffsets.getOrDefault(p, 0L)) {
                firstAfter.merge(p, first, Math::min);
            }
        }
        return firstAfter.values().stream().mapToLong(t -> t - killedAt).max().orElse(0) / 1e3;
    }

    private static void publishSnapshot(String bootstrap) throws Exception {
        WeightSnapshot s = SoftmaxFit.snapshot("fmnist-softmax", 1, SoftmaxFit.random(1, 0.01), Instant.now());
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s))).get();
        }
    }

    private static <T extends AutoCloseable> T open(T resource) {
        OPEN.add(resource);
        return resource;
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            pause(100);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Raw-byte classifications against the given replicas, round robin, every 20 ms, counting the outcomes. */
    private static final class RestProbe implements AutoCloseable {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final AtomicLong ok = new AtomicLong();
        private final AtomicLong other = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        RestProbe(List<ReplicaProcess> targets) {
            byte[] image = Arrays.copyOf(SoftmaxFit.data().test().images().pixels(), FashionMnist.PIXELS);
            thread = new Thread(() -> {
                int i = 0;
                while (running) {
                    ReplicaProcess target = targets.get(i++ % targets.size());
                    try {
                        int status = http.send(HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + target.port() + "/api/v1/classify"))
                                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/octet-stream")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        (status == 200 ? ok : other).incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                    pause(20);
                }
            }, "drill-rest-probe");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(15_000);
        }
    }
}
