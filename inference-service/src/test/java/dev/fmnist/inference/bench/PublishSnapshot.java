package dev.fmnist.inference.bench;

import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.WeightSnapshotCodec;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestNetworks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Benchmark helper (not a test): publishes a snapshot and writes request bodies (raw bytes, PNG and
 * JSON pixels of test image 0) for the load generators. For softmax a quick fit; for another family
 * (mlp, cnn) a seeded random network of its architecture (scoring costs the same whatever the weights).
 * Usage: PublishSnapshot BOOTSTRAP DATA_DIR OUT_DIR [FAMILY or MODEL NAME, default softmax] [VERSION, default 1]
 */
public final class PublishSnapshot {
    private PublishSnapshot() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        FashionMnistData data = FashionMnistData.load(Path.of(args[1]));
        Path out = Path.of(args[2]);
        ModelFamily family = ModelFamily.parse(args.length > 3 ? args[3] : "softmax");
        String model = family.modelName();
        String accuracy;
        WeightSnapshot s;
        // a later version (a second fit, another seed) for a candidate to shadow-score (classify-bench.sh CANDIDATE=1)
        long version = args.length > 4 ? Long.parseLong(args[4]) : 1;
        if (family == ModelFamily.SOFTMAX) {
            SoftmaxFit.Fit fit = SoftmaxFit.fit(data, 60_000, 1, version);
            s = SoftmaxFit.snapshot(model, version, fit, Instant.now());
            accuracy = String.format("test accuracy %.4f", fit.testAccuracy());
        } else {
            s = TestNetworks.snapshot(model, version, TestNetworks.random(family, version), Instant.now());
            accuracy = "random weights";
        }
        byte[] snapshot = WeightSnapshotCodec.encode(s);
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.SNAPSHOTS, model.getBytes(StandardCharsets.UTF_8), snapshot)).get();
        }
        byte[] raw = Arrays.copyOfRange(data.test().images().pixels(), 0, FashionMnist.PIXELS);
        Files.createDirectories(out);
        Files.write(out.resolve("image.raw"), raw);
        Files.write(out.resolve("image.png"), ImageConverter.encodePng(raw));
        StringBuilder json = new StringBuilder("{\"pixels\": [");
        for (int i = 0; i < raw.length; i++) {
            json.append(i == 0 ? "" : ",").append(raw[i] & 0xFF);
        }
        Files.writeString(out.resolve("image.json"), json.append("]}").toString());
        System.out.printf("published %s v%d (%s); bodies in %s%n", model, s.version(), accuracy, out);
    }
}
