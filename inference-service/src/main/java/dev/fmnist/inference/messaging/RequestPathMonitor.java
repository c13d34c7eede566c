package dev.fmnist.inference.messaging;

import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Progress of the Kafka request path: records in flight, the time the last one was finished
 * (predicted or dead-lettered), and the consumer lag read on the channel's polling thread. The
 * stall rule ({@link #stuck}) feeds the liveness check; the lag is the gauge
 * {@code fmnist.inference.requests.lag}.
 */
@ApplicationScoped
public class RequestPathMonitor {
    private static final Duration LAG_QUERY_TIMEOUT = Duration.ofSeconds(1);
    private final KafkaClientService kafka;
    private final ModelService models;
    private final Duration stallTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong lastFinished = new AtomicLong(System.nanoTime());

    public RequestPathMonitor(KafkaClientService kafka, ModelService models, InferenceMetrics metrics,
                              InferenceConfig config) {
        this.kafka = kafka;
        this.models = models;
        this.stallTimeout = config.requestStallTimeout();
        metrics.requestLag(this::lag);
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
     * Records not yet fetched on this replica's partitions of fmnist.requests; NaN when the channel
     * has no consumer (stopped) or does not answer within a second.
     */
    public double lag() {
        try {
            var consumer = kafka.<String, byte[]>getConsumer(Channels.REQUESTS_IN);
            if (consumer == null) {
                return Double.NaN;
            }
            Long lag = consumer.runOnPollingThread(RequestPathMonitor::sumLag).await().atMost(LAG_QUERY_TIMEOUT);
            return lag == null ? Double.NaN : lag;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static Long sumLag(Consumer<String, byte[]> c) {
        long sum = 0;
        for (TopicPartition tp : c.assignment()) {
            OptionalLong l = c.currentLag(tp);
            sum += l.orElse(0);
        }
        return sum;
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
