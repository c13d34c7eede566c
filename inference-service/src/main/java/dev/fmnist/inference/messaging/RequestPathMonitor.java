package dev.fmnist.inference.messaging;

import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToDoubleFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Progress of the Kafka request path: records in flight, the time the last one was finished
 * (predicted or dead-lettered), and the consumer lag read on the channel's polling thread. The
 * stall rule ({@link #stuck}) feeds the liveness check; the lag of each partition this replica owns is the
 * gauge {@code fmnist.inference.requests.lag{topic,partition,group}}, whose rows follow the group's
 * rebalances ({@link RequestPartitions}).
 */
@ApplicationScoped
public class RequestPathMonitor {
    /** A scrape reads every partition's row: one reading of the consumer serves them all for this long. */
    private static final long LAG_CACHE_NANOS = Duration.ofSeconds(1).toNanos();
    /** A reading older than this is not shown (NaN). */
    private static final long LAG_STALE_NANOS = Duration.ofSeconds(15).toNanos();
    private final KafkaClientService kafka;
    private final ModelService models;
    private final Duration stallTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong lastFinished = new AtomicLong(System.nanoTime());
    private final InferenceMetrics metrics;
    private final String group;
    /** Held here: the gauge's rows reference it weakly. */
    private final IntToDoubleFunction partitionLag = this::partitionLag;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile LagReading lastReading = new LagReading(null, System.nanoTime() - LAG_STALE_NANOS);

    public RequestPathMonitor(KafkaClientService kafka, ModelService models, InferenceMetrics metrics,
                              InferenceConfig config,
                              @ConfigProperty(name = "mp.messaging.incoming.requests-in.group.id") String group) {
        this.kafka = kafka;
        this.models = models;
        this.metrics = metrics;
        this.group = group;
        this.stallTimeout = config.requestStallTimeout();
    }

    /** The partitions of fmnist.requests this replica owns changed (a rebalance): the gauge's rows follow. */
    void assigned(Set<TopicPartition> partitions) {
        List<Integer> numbers = partitions.stream().filter(tp -> tp.topic().equals(Topics.REQUESTS))
                .map(TopicPartition::partition).sorted().toList();
        metrics.requestLagPartitions(Topics.REQUESTS, group, numbers, partitionLag);
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void finished() {
        inFlight.decrementAndGet();
        lastFinished.set(System.nanoTime());
    }

    public int inFlight() {
        return inFlight.get();
    }

    public Duration stallTimeout() {
        return stallTimeout;
    }

    /**
     * Records not yet fetched on this replica's partitions of fmnist.requests, as last read (at most a second or
     * two old); NaN when unknown (see {@link #partitionLags}).
     */
    public double lag() {
        Map<Integer, Long> lags = partitionLags();
        return lags == null ? Double.NaN : lags.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The lag of one partition this replica owns (NaN when unknown). */
    double partitionLag(int partition) {
        Map<Integer, Long> lags = partitionLags();
        Long lag = lags == null ? null : lags.get(partition);
        return lag == null ? Double.NaN : lag;
    }

    /**
     * Lag by partition of this replica's assignment as last read; null when unknown (never read, the channel has
     * no consumer, or the last reading is older than {@link #LAG_STALE_NANOS}: a stuck polling thread shows as NaN,
     * not as a frozen figure). A reading older than a second starts a new one on the channel's polling thread,
     * without waiting for it: the polling thread runs a task only between polls (up to the poll timeout), and a
     * scrape or a health check must not wait for that.
     */
    private Map<Integer, Long> partitionLags() {
        LagReading reading = lastReading;
        long now = System.nanoTime();
        if (now - reading.readAt() >= LAG_CACHE_NANOS && refreshing.compareAndSet(false, true)) {
            refresh();
        }
        return now - reading.readAt() < LAG_STALE_NANOS ? reading.lags() : null;
    }

    private void refresh() {
        try {
            var consumer = kafka.<String, byte[]>getConsumer(Channels.REQUESTS_IN);
            if (consumer == null) {
                lastReading = new LagReading(null, System.nanoTime());
                refreshing.set(false);
                return;
            }
            consumer.runOnPollingThread(RequestPathMonitor::lagByPartition).subscribe().with(lags -> {
                lastReading = new LagReading(lags, System.nanoTime());
                refreshing.set(false);
            }, failure -> {
                lastReading = new LagReading(null, System.nanoTime());
                refreshing.set(false);
            });
        } catch (RuntimeException e) {
            lastReading = new LagReading(null, System.nanoTime());
            refreshing.set(false);
        }
    }

    /**
     * Log end minus the consumer's position, from the fetch responses (no request to the broker). KEDA's Kafka
     * scaler counts from the group's committed offset instead, so its lag is this plus the records fetched and
     * not yet committed (in flight, and up to one commit interval of finished ones).
     */
    private static Map<Integer, Long> lagByPartition(Consumer<String, byte[]> c) {
        Map<Integer, Long> lags = new TreeMap<>();
        for (TopicPartition tp : c.assignment()) {
            OptionalLong l = c.currentLag(tp);
            lags.put(tp.partition(), l.orElse(0));
        }
        return lags;
    }

    private record LagReading(Map<Integer, Long> lags, long readAt) {
    }

    /**
     * Time since the last record was finished, or since the live version of the default model (the one
     * Kafka requests go to) was loaded when that is later.
     */
    public Duration sinceProgress() {
        long since = lastFinished.get();
        LoadedModel live = models.defaultModel().live();
        long now = System.nanoTime();
        Duration idle = Duration.ofNanos(now - since);
        if (live != null) {
            Duration sinceLoad = Duration.between(live.loadedAt(), java.time.Instant.now());
            if (sinceLoad.compareTo(idle) < 0) {
                idle = sinceLoad;
            }
        }
        return idle;
    }

    /** Whether the path is stuck now. */
    public boolean stuck() {
        return stuck(models.defaultModel().live() != null, inFlight(), lag(), sinceProgress(), stallTimeout);
    }

    /**
     * The stall rule: stuck when a model is live (before it, records wait on purpose), there is work
     * (a record in flight, or lag) and no record has been finished for {@code timeout}.
     */
    static boolean stuck(boolean modelLive, int inFlight, double lag, Duration sinceProgress, Duration timeout) {
        boolean work = inFlight > 0 || (!Double.isNaN(lag) && lag > 0);
        return modelLive && work && sinceProgress.compareTo(timeout) > 0;
    }
}
