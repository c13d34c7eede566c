package dev.fmnist.inference.support;

import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.support.kafka.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stream of requests on fmnist.requests (test images with ids {@code <run>-<n>}, their true labels) and a
 * count of their answers on fmnist.predictions: which ids were answered, how often, when the last new one came.
 * For the replica drills and the scale-out benchmark; the producer is what a user's would be (acks=all,
 * idempotent, so a broker lost mid-stream neither loses nor duplicates a request on the topic).
 */
public final class RequestStream implements AutoCloseable {
    private final String bootstrap;
    private final FashionMnistData.Split images;
    private final KafkaProducer<String, byte[]> producer;
    /** Where each sent request landed: id -> {partition, offset}. */
    private final Map<String, long[]> placed = new ConcurrentHashMap<>();

    public RequestStream(String bootstrap, FashionMnistData.Split images) {
        this.bootstrap = bootstrap;
        this.images = images;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** The id of request {@code n} of run {@code run}. */
    public static String id(String run, int n) {
        return run + "-" + n;
    }

    /** Sends requests {@code from .. from+count-1} of {@code run} and waits until the brokers have them all. */
    public void send(String run, int from, int count) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(count);
        for (int n = from; n < from + count; n++) {
            int image = n % images.count();
            int[] pixels = new int[FashionMnist.PIXELS];
            byte[] all = images.images().pixels();
            for (int p = 0; p < pixels.length; p++) {
                pixels[p] = all[image * FashionMnist.PIXELS + p] & 0xFF;
            }
            String id = id(run, n);
            byte[] value = Topic.REQUESTS.encode(new ClassificationRequest(id, pixels, null, false, images.label(image)));
            sent.add(producer.send(new ProducerRecord<>(Topics.REQUESTS, id, value)));
        }
        for (int i = 0; i < sent.size(); i++) {
            try {
                RecordMetadata m = sent.get(i).get();
                placed.put(id(run, from + i), new long[] {m.partition(), m.offset()});
            } catch (ExecutionException e) {
                throw new IllegalStateException("a request was not acknowledged by the brokers: " + e.getCause(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The partition of fmnist.requests a sent request is on (-1: not sent). */
    public int partitionOf(String id) {
        long[] p = placed.get(id);
        return p == null ? -1 : (int) p[0];
    }

    /** The offset of a sent request on its partition (-1: not sent). */
    public long offsetOf(String id) {
        long[] p = placed.get(id);
        return p == null ? -1 : p[1];
    }

    /** Starts counting the answers to {@code run}'s requests that arrive from now on. */
    public Answers answers(String run) {
        return new Answers(bootstrap, run + "-");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** The answers to one run's requests, counted by id on a thread of their own. */
    public static final class Answers implements AutoCloseable {
        private final Map<String, Integer> counts = new ConcurrentHashMap<>();
        private final Map<String, Long> firstAnswer = new ConcurrentHashMap<>();
        private final AtomicLong total = new AtomicLong();
        private final AtomicLong lastNewAnswer = new AtomicLong(System.nanoTime());
        private final AtomicLong mismatched = new AtomicLong();
        private final String prefix;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile RuntimeException failure;

        private Answers(String bootstrap, String prefix) {
            this.prefix = prefix;
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000),
                    new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(Topics.PREDICTIONS, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolved now: answers before this point are not counted
            thread = new Thread(() -> poll(consumer), "answers-" + prefix);
            thread.setDaemon(true);
            thread.start();
        }

        private void poll(KafkaConsumer<String, byte[]> consumer) {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        Prediction p = Topic.PREDICTIONS.decode(r.value());
                        if (!p.id().startsWith(prefix)) {
                            continue;
                        }
                        if (!p.id().equals(r.key())) {
                            mismatched.incrementAndGet();
                        }
                        total.incrementAndGet();
                        if (counts.merge(p.id(), 1, Integer::sum) == 1) {
                            long now = System.nanoTime();
                            firstAnswer.put(p.id(), r.timestamp());
                            lastNewAnswer.set(now);
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** Distinct ids answered. */
        public int answered() {
            check();
            return counts.size();
        }

        /** Answers beyond the first of an id. */
        public long duplicates() {
            check();
            return total.get() - counts.size();
        }

        /** Predictions whose record key was not their id (must stay 0). */
        public long mismatched() {
            return mismatched.get();
        }

        /** How many times id was answered (0: not yet). */
        public int count(String id) {
            return counts.getOrDefault(id, 0);
        }

        /**
         * When id was first answered: the prediction record's timestamp (epoch ms, set by the replica's producer
         * when it sent the answer, not when this reader got it), or null.
         */
        public Long firstAnswerMillis(String id) {
            return firstAnswer.get(id);
        }

        /** System.nanoTime() of the last answer to an id not answered before. */
        public long lastNewAnswerNanos() {
            return lastNewAnswer.get();
        }

        /** The ids of {@code run} 0..n-1 not answered (at most {@code limit} of them). */
        public List<String> missing(String run, int n, int limit) {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < n && missing.size() < limit; i++) {
                if (!counts.containsKey(id(run, i))) {
                    missing.add(id(run, i));
                }
            }
            return missing;
        }

        private void check() {
            if (failure != null) {
                throw new IllegalStateException("reading fmnist.predictions failed", failure);
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Bytes of one request, for the figures: the JSON of 784 pixels and a label is about 3 KB. */
    public static int sizeOfOne(FashionMnistData.Split images) {
        int[] pixels = new int[FashionMnist.PIXELS];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = images.images().pixels()[p] & 0xFF;
        }
        return Topic.REQUESTS.encode(new ClassificationRequest("r-0", pixels, null, false, images.label(0)))
                .length + "r-0".getBytes(StandardCharsets.UTF_8).length;
    }
}
