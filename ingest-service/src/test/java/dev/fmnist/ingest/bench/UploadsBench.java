package dev.fmnist.ingest.bench;

import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.ingest.dataset.DatasetPlanner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Benchmark (not a test): images/s through {@code fmnist.uploads} into a running ingest service.
 * Produces N of the Fashion-MNIST test images as 28x28 PNGs with a label header (a plain producer,
 * as any client would), then waits until the service's
 * {@code fmnist_ingest_images_published_total{split="user"}} has grown by N, and prints both rates.
 * Run with {@code ingest-service/bench/uploads-bench.sh [N]}.
 */
public final class UploadsBench {
    private UploadsBench() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String metricsUrl = args[1];
        Path data = Path.of(args[2]);
        int n = Integer.parseInt(args[3]);
        FashionMnistData.Split test = DatasetPlanner.load(data).test();
        List<byte[]> pngs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = (i % test.count()) * 784;
            byte[] px = java.util.Arrays.copyOfRange(test.images().pixels(), at, at + 784);
            // vary one corner pixel per round so repeated images are new images, not re-uploads
            px[0] = (byte) (i / test.count());
            pngs.add(ImageConverter.encodePng(px));
        }
        HttpClient http = HttpClient.newHttpClient();
        double before = userImages(http, metricsUrl);
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.ACKS_CONFIG, "all");
        long t0 = System.nanoTime();
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                var r = new ProducerRecord<byte[], byte[]>(Topics.UPLOADS, pngs.get(i));
                r.headers().add(Topics.UPLOAD_LABEL_HEADER,
                        Integer.toString(test.label(i % test.count())).getBytes(StandardCharsets.US_ASCII));
                acks.add(producer.send(r));
            }
            for (Future<RecordMetadata> f : acks) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        long t1 = System.nanoTime();
        org.awaitility.Awaitility.await("all " + n + " images arrived").atMost(Duration.ofSeconds(300))
                .pollInterval(Duration.ofMillis(50)).until(() -> userImages(http, metricsUrl), now -> now - before >= n);
        long t2 = System.nanoTime();
        System.out.printf(java.util.Locale.ROOT,
                "produced %d PNG records to %s in %.2f s (%.0f records/s)%n", n, Topics.UPLOADS, (t1 - t0) / 1e9, n / ((t1 - t0) / 1e9));
        System.out.printf(java.util.Locale.ROOT,
                "ingest converted and published all %d as user images in %.2f s from the first send: %.0f images/s through fmnist.uploads%n",
                n, (t2 - t0) / 1e9, n / ((t2 - t0) / 1e9));
    }

    private static double userImages(HttpClient http, String url) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith("fmnist_ingest_images_published_total{") && line.contains("split=\"user\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
