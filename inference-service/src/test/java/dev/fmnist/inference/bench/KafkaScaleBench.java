package dev.fmnist.inference.bench;

import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.inference.support.ReplicaProcess;
import dev.fmnist.inference.support.RequestStream;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Benchmark (not a test): Kafka-request throughput of 1, 2, ... N inference replicas (real processes, one
 * consumer group) on the given brokers. Per step one more replica is started, a warm-up stream is answered in
 * full (the new JVM's JIT, the group's rebalance), then a backlog of {@code measure} requests is sent and the
 * time from the first send to the last answer gives requests/s. Prints one line per replica count, with each
 * replica's share of the backlog. Usage:
 * KafkaScaleBench BOOTSTRAP REPLICATION_FACTOR LOG_DIR [MAX_REPLICAS=3] [WARMUP=10000] [MEASURE=30000]
 */
public final class KafkaScaleBench {
    private static final Pattern KAFKA_OK = Pattern.compile(
            "(?m)^fmnist_inference_requests_total\\{content_type=\"kafka\",model=\"[^\"]+\",outcome=\"ok\"} ([0-9.E]+)$");

    private KafkaScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        short rf = Short.parseShort(args[1]);
        Path logs = Path.of(args[2]);
        int maxReplicas = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 10_000;
        int measure = args.length > 5 ? Integer.parseInt(args[5]) : 30_000;
        Files.createDirectories(logs);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Topics.ensure(admin, rf);
        }
        publishSnapshot(bootstrap);
        FashionMnistData.Split test = SoftmaxFit.data().test();
        System.out.printf("request size %d bytes (JSON pixels); %d warm-up and %d measured requests per step%n",
                RequestStream.sizeOfOne(test), warmup, measure);
        List<ReplicaProcess> replicas = new ArrayList<>();
        try (RequestStream stream = new RequestStream(bootstrap, test)) {
            for (int r = 1; r <= maxReplicas; r++) {
                ReplicaProcess replica = ReplicaProcess.start("bench-replica-" + r, bootstrap, logs);
                replicas.add(replica);
                awaitReady(replica);
                run(stream, "warm" + r, warmup);
                double[] before = counts(replicas);
                double load = loadAverage();
                long t0 = System.nanoTime();
                long sentNanos;
                long end;
                try (RequestStream.Answers answers = stream.answers("m" + r)) {
                    stream.send("m" + r, 0, measure);
                    sentNanos = System.nanoTime() - t0;
                    awaitAll(answers, measure);
                    end = answers.lastNewAnswerNanos();
                }
                double seconds = (end - t0) / 1e9;
                double[] after = counts(replicas);
                StringBuilder shares = new StringBuilder();
                for (int i = 0; i < replicas.size(); i++) {
                    shares.append(i == 0 ? "" : " / ").append(String.format("%.0f", after[i] - before[i]));
                }
                System.out.printf("replicas=%d  %,d requests answered in %.1f s = %,.0f req/s  (sent in %.1f s; "
                                + "per replica %s; load average before %.2f, after %.2f)%n", r, measure, seconds,
                        measure / seconds, sentNanos / 1e9, shares, load, loadAverage());
            }
        } finally {
            replicas.forEach(ReplicaProcess::close);
        }
    }

    private static void run(RequestStream stream, String run, int n) {
        try (RequestStream.Answers answers = stream.answers(run)) {
            stream.send(run, 0, n);
            awaitAll(answers, n);
        }
    }

    private static void awaitAll(RequestStream.Answers answers, int n) {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (answers.answered() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + answers.answered() + " of " + n + " answered in 10 min");
            }
            sleep(20);
        }
    }

    private static void awaitReady(ReplicaProcess replica) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!replica.ready()) {
            if (!replica.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(replica.name() + " not ready; see " + replica.log());
            }
            sleep(250);
        }
    }

    /** Kafka requests each replica answered so far (its fmnist_inference_requests_total, kafka, ok). */
    private static double[] counts(List<ReplicaProcess> replicas) {
        double[] counts = new double[replicas.size()];
        for (int i = 0; i < counts.length; i++) {
            Matcher m = KAFKA_OK.matcher(replicas.get(i).metrics());
            counts[i] = m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        }
        return counts;
    }

    private static void publishSnapshot(String bootstrap) throws Exception {
        // scoring costs the same whatever the weights: a seeded random softmax, signed with the test key
        WeightSnapshot s = SoftmaxFit.snapshot("fmnist-softmax", 1, SoftmaxFit.random(1, 0.01), Instant.now());
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, TestSigning.key(s), TestSigning.signed(s))).get();
        }
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
