package dev.fmnist.ingest.bench;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.ingest.dataset.DatasetPlanner;
import dev.fmnist.ingest.dataset.DatasetPublisher;
import dev.fmnist.ingest.dataset.PublishPlan;
import dev.fmnist.ingest.messaging.ProducerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import dev.fmnist.support.kafka.KafkaClientFactory;
import org.apache.kafka.clients.producer.Producer;

/**
 * Benchmark (not a test): starts a local in-JVM KRaft broker, loads the four Fashion-MNIST files and
 * publishes all 70,000 images with the service's publishing code, for the default producer settings
 * and a few alternatives. Variants take turns round by round (so a busy host slows all alike) and
 * each writes to its own pair of topics, whose size on disk is reported too.
 * Run with {@code ingest-service/bench/publish-bench.sh [DATA_DIR] [RUNS]}.
 */
public final class PublishBench {
    private PublishBench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 && !args[0].isEmpty() ? args[0] : "/work/shared/data/fashion-mnist");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path brokerDir = Files.createTempDirectory("fmnist-bench-kafka-");
        try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(brokerDir));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Topics.ensure(admin, (short) 1);
            System.out.printf("broker %s, data %s, %d timed rounds (after one warm-up), %d cores%n",
                    broker.bootstrapServers(), data, runs, Runtime.getRuntime().availableProcessors());

            long t0 = System.nanoTime();
            FashionMnistData dataset = DatasetPlanner.load(data);
            long t1 = System.nanoTime();
            PublishPlan plan = DatasetPlanner.plan(dataset, 256, 0, 0);
            long t2 = System.nanoTime();
            System.out.printf("load+check 4 files: %d ms; encode %d batches (%d images, %.1f MB): %d ms%n",
                    (t1 - t0) / 1_000_000, plan.records().size(), plan.totalImages(), plan.totalBytes() / 1e6,
                    (t2 - t1) / 1_000_000);

            ProducerSettings base = ProducerSettings.defaults();
            Map<String, ProducerSettings> variants = new LinkedHashMap<>();
            variants.put("default: lz4, batch 960KiB, linger 5ms", base);
            variants.put("compression none", base.withCompression("none"));
            variants.put("compression zstd", base.withCompression("zstd"));
            variants.put("batch.size 16KiB (Kafka default)", base.withBatchSize(16_384));
            variants.put("linger 0ms", base.withLinger(Duration.ZERO));

            Map<String, Producer<String, byte[]>> producers = new LinkedHashMap<>();
            Map<String, PublishPlan> plans = new LinkedHashMap<>();
            Map<String, List<Long>> times = new LinkedHashMap<>();
            int n = 0;
            for (var v : variants.entrySet()) {
                String prefix = "bench-" + n++;
                admin.createTopics(List.of(new NewTopic(prefix + "-train", 1, (short) 1),
                        new NewTopic(prefix + "-test", 1, (short) 1))).all().get();
                plans.put(v.getKey(), retarget(plan, prefix));
                producers.put(v.getKey(), v.getValue().producer(
                        KafkaClientFactory.forBootstrap(broker.bootstrapServers()), prefix));
                times.put(v.getKey(), new ArrayList<>());
            }
            for (int round = 0; round <= runs; round++) {
                for (String name : variants.keySet()) {
                    long ms = DatasetPublisher.publish(producers.get(name), plans.get(name), (r, md) -> { }).durationMillis();
                    if (round > 0) {
                        times.get(name).add(ms);
                    }
                }
            }
            producers.values().forEach(Producer::close);

            Map<String, Long> sizes = topicSizes(admin);
            n = 0;
            for (String name : variants.keySet()) {
                String prefix = "bench-" + n++;
                List<Long> t = times.get(name).stream().sorted().toList();
                long median = t.get(t.size() / 2);
                long stored = sizes.getOrDefault(prefix + "-train", 0L) + sizes.getOrDefault(prefix + "-test", 0L);
                System.out.printf("%-40s publish 70,000 images: median %5d ms (%,7.0f images/s), best %5d ms; on disk %5.1f MB per copy; runs %s%n",
                        name, median, 70_000 * 1000.0 / median, t.get(0), stored / 1e6 / (runs + 1), times.get(name));
            }

            // The whole job as the service runs it, cold: load, check, encode, send with a new producer.
            long c0 = System.nanoTime();
            PublishPlan cold = DatasetPlanner.plan(DatasetPlanner.load(data), 256, 0, 0);
            try (Producer<String, byte[]> producer = base.producer(
                    KafkaClientFactory.forBootstrap(broker.bootstrapServers()), "bench-cold")) {
                DatasetPublisher.publish(producer, cold, (r, md) -> { });
            }
            System.out.printf("end to end, default settings (load + check + encode + new producer + publish 70,000 images): %d ms%n",
                    (System.nanoTime() - c0) / 1_000_000);
        } finally {
            try (Stream<Path> paths = Files.walk(brokerDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp directory
            }
        }
    }

    private static PublishPlan retarget(PublishPlan plan, String prefix) {
        return new PublishPlan(plan.datasetId(), plan.trainImages(), plan.testImages(), plan.batchSize(),
                plan.records().stream().map(r -> new PublishPlan.Record(
                        r.topic().equals(Topics.TRAIN) ? prefix + "-train" : prefix + "-test",
                        r.split(), r.batchId(), r.sequence(), r.images(), r.value())).toList());
    }

    private static Map<String, Long> topicSizes(Admin admin) throws Exception {
        Map<String, Long> sizes = new LinkedHashMap<>();
        var dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
        for (var dir : dirs.values()) {
            dir.replicaInfos().forEach((tp, info) -> sizes.merge(tp.topic(), info.size(), Long::sum));
        }
        return sizes;
    }
}
