package dev.fmnist.ingest.bench;

import dev.fmnist.broker.KafkaBroker;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.ingest.dataset.DatasetPlanner;
import dev.fmnist.ingest.dataset.DatasetPublisher;
import dev.fmnist.ingest.dataset.PublishPlan;
import dev.fmnist.ingest.dataset.PublishResult;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Benchmark (not a test): starts a local in-JVM KRaft broker, loads the four Fashion-MNIST files and
 * publishes all 70,000 images with the service's publishing code, for the default producer settings
 * and a few alternatives. Run with {@code ingest-service/bench/publish-bench.sh [DATA_DIR] [RUNS]}.
 */
public final class PublishBench {
    private PublishBench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "/work/shared/data/fashion-mnist");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path brokerDir = Files.createTempDirectory("fmnist-bench-kafka-");
        try (KafkaBroker broker = KafkaBroker.start(KafkaBroker.Settings.ephemeral(brokerDir))) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                Topics.ensure(admin, (short) 1);
            }
            System.out.printf("broker %s, data %s, %d timed runs per variant%n", broker.bootstrapServers(), data, runs);

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
            variants.put("default (lz4, batch 960KiB, linger 5ms)", base);
            variants.put("compression none", base.withCompression("none"));
            variants.put("zstd", base.withCompression("zstd"));
            variants.put("batch.size 16KiB (Kafka default)", base.withBatchSize(16_384));
            variants.put("linger 0ms", base.withLinger(Duration.ZERO));
            for (var v : variants.entrySet()) {
                List<Long> times = new ArrayList<>();
                try (Producer<String, byte[]> producer = new KafkaProducer<>(v.getValue().producerProperties(
                        Map.of("bootstrap.servers", broker.bootstrapServers()), "bench"))) {
                    DatasetPublisher.publish(producer, plan, (r, md) -> { }); // warm-up
                    for (int i = 0; i < runs; i++) {
                        PublishResult r = DatasetPublisher.publish(producer, plan, (rec, md) -> { });
                        times.add(r.durationMillis());
                    }
                }
                long best = times.stream().min(Long::compare).orElseThrow();
                double median = times.stream().sorted().skip(times.size() / 2).findFirst().orElseThrow();
                System.out.printf("%-42s publish 70,000 images: best %5d ms, median %5.0f ms (%,.0f images/s) runs %s%n",
                        v.getKey(), best, median, 70_000 * 1000.0 / median, times);
            }
            // The whole job as the service runs it cold: load, check, encode, send, with a new producer.
            long c0 = System.nanoTime();
            FashionMnistData again = DatasetPlanner.load(data);
            PublishPlan plan2 = DatasetPlanner.plan(again, 256, 0, 0);
            try (Producer<String, byte[]> producer = new KafkaProducer<>(base.producerProperties(
                    Map.of("bootstrap.servers", broker.bootstrapServers()), "bench-cold"))) {
                DatasetPublisher.publish(producer, plan2, (r, md) -> { });
            }
            System.out.printf("end to end (load + check + encode + new producer + publish 70,000 images): %d ms%n",
                    (System.nanoTime() - c0) / 1_000_000);
        } finally {
            try (Stream<Path> paths = Files.walk(brokerDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp directory
            }
        }
    }
}
