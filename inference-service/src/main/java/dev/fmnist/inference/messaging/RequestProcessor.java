package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.WireFormatException;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.Classification;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.support.kafka.Topic;
import dev.fmnist.support.rest.ApiException;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

/**
 * fmnist.requests to fmnist.predictions. Every record ends as a prediction or a dead letter, and
 * only then is it acknowledged (its offset committable): an unparseable record, an undecodable
 * image, a failure while scoring, a prediction the broker would not take, each becomes a bounded
 * dead letter ({@link RequestDeadLetters}) with its reason and source coordinates, so nothing here
 * nacks the channel. Requests that arrive before any model is loaded wait, unacknowledged, so none
 * is lost; at shutdown a waiting request is left neither acked nor nacked (uncommitted), and is
 * redelivered to whichever replica gets its partition next.
 *
 * <p>A request is scored by the served model its {@code model} field names, or the default model
 * ({@code fmnist.inference.default-model}) when it names none; a model not served here is dead-lettered
 * with the reason REST's 404 gives, naming the served ones. Its prediction says which model and version
 * answered. Scoring runs on this channel's own worker pool, never on an event loop, whatever the family.
 */
@ApplicationScoped
public class RequestProcessor {
    private static final Logger LOG = Logger.getLogger(RequestProcessor.class);
    private static final Duration WAIT_STEP = Duration.ofMillis(500);
    private final ClassificationService classifier;
    private final RequestDeadLetters deadLetters;
    private final RequestPathMonitor monitor;
    private volatile boolean stopping;

    public RequestProcessor(ClassificationService classifier, RequestDeadLetters deadLetters,
                            RequestPathMonitor monitor) {
        this.classifier = classifier;
        this.deadLetters = deadLetters;
        this.monitor = monitor;
    }

    @Incoming(Channels.REQUESTS_IN)
    @Outgoing(Channels.PREDICTIONS_OUT)
    // A pool of its own: requests waiting for the first model must not starve the HTTP workers.
    @Blocking(value = "kafka-requests", ordered = false)
    public Message<byte[]> process(Message<byte[]> in) throws InterruptedException {
        monitor.started();
        boolean finished = true;
        try {
            ClassificationRequest request;
            try {
                request = Topic.REQUESTS.decode(in.getPayload());
            } catch (WireFormatException e) {
                return deadLetter(in, e.getMessage());
            }
            ServedModel served;
            try {
                served = classifier.model(ContentKind.KAFKA, request.model());
            } catch (ApiException e) {
                return deadLetter(in, "request " + request.id() + ": " + e.getMessage());
            }
            LoadedModel model = awaitModel(served);
            if (model == null) {
                finished = false;
                LOG.infof("shutting down before a model was loaded: request %s left uncommitted", request.id());
                return null;
            }
            Classification c;
            try {
                c = classifyWhenDecoderFree(request, served, model);
                if (c == null) {
                    finished = false;
                    return null;
                }
            } catch (InvalidInputException e) {
                return deadLetter(in, "request " + request.id() + ": " + e.getMessage());
            } catch (RuntimeException | Error e) {
                // A bug (or an OutOfMemoryError of one huge record) must not stop the stream: park the record.
                LOG.errorf(e, "unexpected failure classifying request %s", request.id());
                return deadLetter(in, "request " + request.id() + ": internal error: " + e);
            }
            byte[] prediction = Topic.PREDICTIONS.encode(new Prediction(request.id(), c.classIndex(),
                    c.label(), c.probabilities(), c.modelVersion(), c.epoch(), c.model()));
            return in.withPayload(prediction)
                    .withMetadata(Metadata.of(OutgoingKafkaRecordMetadata.<String>builder()
                            .withTopic(Topic.PREDICTIONS.name()).withKey(request.id()).build()))
                    .withNack(error -> predictionFailed(in, request.id(), error));
        } finally {
            if (finished) {
                monitor.finished();
            }
        }
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** The live version of {@code served}, waiting for the first one; null when the service stops first. */
    private LoadedModel awaitModel(ServedModel served) throws InterruptedException {
        LoadedModel model = served.live();
        while (model == null && !stopping) {
            model = served.registry().awaitLive(WAIT_STEP);
        }
        return model;
    }

    /**
     * A busy decode budget is load, not a bad record: the request waits (unacknowledged, like one
     * waiting for a model) and is tried again rather than dead-lettered. Null when shutting down.
     */
    private Classification classifyWhenDecoderFree(ClassificationRequest request, ServedModel served,
                                                   LoadedModel model) throws InterruptedException {
        while (true) {
            try {
                return classifier.classifyRequest(request, served, model);
            } catch (DecodeBusyException e) {
                if (stopping) {
                    return null; // shutting down: the request is left uncommitted
                }
                Thread.sleep(e.retryAfter().toMillis());
            }
        }
    }

    /**
     * The producer gave up on a prediction (after its own retries): the request is dead-lettered
     * with that reason and then acknowledged, instead of nacking (which would stop or skip silently).
     * Runs on the producer's callback thread, so it only chains futures.
     */
    private CompletionStage<Void> predictionFailed(Message<byte[]> in, String id, Throwable error) {
        LOG.errorf(error, "prediction for request %s could not be sent", id);
        return deadLetters.send(source(in), key(in), in.getPayload(),
                        "request " + id + ": prediction could not be sent: " + error)
                .thenCompose(ok -> in.ack());
    }

    /** Dead-letters the record (bounded, retried; never fails), then acknowledges it; null: no prediction. */
    private Message<byte[]> deadLetter(Message<byte[]> in, String reason) {
        CompletableFuture<Boolean> sent = deadLetters.send(source(in), key(in), in.getPayload(), reason);
        sent.join();
        in.ack();
        return null;
    }

    private static RequestDeadLetters.Source source(Message<byte[]> in) {
        var meta = in.getMetadata(IncomingKafkaRecordMetadata.class);
        return new RequestDeadLetters.Source(meta.map(m -> m.getTopic()).orElse(Topic.REQUESTS.name()),
                meta.map(IncomingKafkaRecordMetadata::getPartition).orElse(-1),
                meta.map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L));
    }

    private static byte[] key(Message<byte[]> in) {
        return in.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> m.getKey() == null ? null : m.getKey().toString().getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }
}
