package dev.fmnist.console.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import dev.fmnist.support.kafka.KafkaClientFactory;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads one topic from the beginning on its own thread, with no consumer group and no commits
 * (the console only watches; it must not take partitions away from anyone or leave offsets
 * behind). After a broker failure it reconnects and continues from where it was.
 */
public final class TopicFollower {
    private static final Logger LOG = Logger.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private final String topic;
    private final KafkaClientFactory kafka;
    private final Map<String, Object> clientProperties;
    private final Duration retryBackoff;
    private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private volatile boolean running;
    private volatile org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private Thread thread;

    public TopicFollower(String topic, KafkaClientFactory kafka, Duration retryBackoff,
                         Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        this.topic = topic;
        this.kafka = kafka;
        this.clientProperties = new HashMap<>();
        this.clientProperties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.clientProperties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.clientProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.clientProperties.put(ConsumerConfig.CLIENT_ID_CONFIG, "console-" + topic);
        this.clientProperties.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        this.retryBackoff = retryBackoff;
        this.handler = handler;
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "console-follow-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() {
        running = false;
        org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            try {
                follow();
            } catch (WakeupException e) {
                // stop() woke the poll up
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warnf("reading %s failed (%s); retrying in %s", topic, e.getMessage(), retryBackoff);
                    sleep(retryBackoff);
                }
            }
        }
    }

    private void follow() {
        try (org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> c = kafka.consumer(clientProperties)) {
            consumer = c;
            if (!running) {
                return;
            }
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                // the topic does not exist yet: ingest or inference creates it
                sleep(retryBackoff);
                return;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long next = positions.get(tp);
                if (next == null) {
                    c.seekToBeginning(List.of(tp));
                } else {
                    c.seek(tp, next);
                }
            }
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                    try {
                        handler.accept(r);
                    } catch (RuntimeException e) {
                        // one bad record must not stop the view: it is skipped (its producer's consumers dead-letter it)
                        LOG.debugf("skipped %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
                    }
                    positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
            }
        } finally {
            consumer = null;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
