package dev.fmnist.inference.messaging;

import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WireFormatException;
import dev.fmnist.contracts.image.DecodeBusyException;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.Classification;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.InvalidInputException;
import dev.fmnist.inference.service.ModelService;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

/**
 * fmnist.requests to fmnist.predictions. A request is acknowledged (and its offset becomes
 * committable) only once its prediction or its dead letter is on the broker. Requests that arrive
 * before any model is loaded wait, unacknowledged, so none is lost; at shutdown a waiting request
 * is failed without a commit, and is redelivered to whichever replica gets its partition next.
 */
@ApplicationScoped
public class RequestProcessor {
    private static final Logger LOG = Logger.getLogger(RequestProcessor.class);
    private static final Duration WAIT_STEP = Duration.ofMillis(500);
    private final ClassificationService classifier;
    private final ModelService models;
    private final DeadLetterPublisher deadLetters;
    private volatile boolean stopping;

    public RequestProcessor(ClassificationService classifier, ModelService models, DeadLetterPublisher deadLetters) {
        this.classifier = classifier;
        this.models = models;
        this.deadLetters = deadLetters;
    }

    @Incoming(Channels.REQUESTS_IN)
    @Outgoing(Channels.PREDICTIONS_OUT)
    // A pool of its own: requests waiting for the first model must not starve the HTTP workers.
    @Blocking(value = "kafka-requests", ordered = false)
    public Message<byte[]> process(Message<byte[]> in) throws InterruptedException {
        ClassificationRequest request;
        try {
            request = ClassificationCodec.decodeRequest(in.getPayload());
        } catch (WireFormatException e) {
            return deadLetter(in, e.getMessage());
        }
        LoadedModel model = awaitModel();
        Classification c;
        try {
            c = classifyWhenDecoderFree(request, model);
        } catch (InvalidInputException e) {
            return deadLetter(in, "request " + request.id() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // A bug must not stop the whole stream: park the record with the reason and go on.
            LOG.errorf(e, "unexpected failure classifying request %s", request.id());
            return deadLetter(in, "request " + request.id() + ": internal error: " + e);
        }
        byte[] prediction = ClassificationCodec.encodePrediction(new Prediction(request.id(), c.classIndex(),
                c.label(), c.probabilities(), c.modelVersion(), c.epoch()));
        return in.withPayload(prediction).withMetadata(Metadata.of(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(Topics.PREDICTIONS).withKey(request.id()).build()));
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stopping = true;
    }

    private LoadedModel awaitModel() throws InterruptedException {
        LoadedModel model = models.live();
        while (model == null) {
            if (stopping) {
                throw new IllegalStateException("shutting down before a model was loaded; request left uncommitted");
            }
            model = models.registry().awaitLive(WAIT_STEP);
        }
        return model;
    }

    /**
     * A busy decode budget is load, not a bad record: the request waits (unacknowledged, like one
     * waiting for a model) and is tried again rather than dead-lettered.
     */
    private Classification classifyWhenDecoderFree(ClassificationRequest request, LoadedModel model)
            throws InterruptedException {
        while (true) {
            try {
                return classifier.classifyRequest(request, model);
            } catch (DecodeBusyException e) {
                if (stopping) {
                    throw new IllegalStateException("shutting down while waiting for the decode budget; request left uncommitted");
                }
                Thread.sleep(e.retryAfter().toMillis());
            }
        }
    }

    /** Dead-letters the record, then acknowledges it; returns null so nothing goes to predictions. */
    private Message<byte[]> deadLetter(Message<byte[]> in, String reason) {
        var meta = in.getMetadata(IncomingKafkaRecordMetadata.class);
        int partition = meta.map(IncomingKafkaRecordMetadata::getPartition).orElse(-1);
        long offset = meta.map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L);
        byte[] key = meta.map(m -> m.getKey() == null ? null : m.getKey().toString().getBytes(StandardCharsets.UTF_8))
                .orElse(null);
        try {
            deadLetters.send(Topics.REQUESTS, partition, offset, key, in.getPayload(), reason).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        } catch (ExecutionException | TimeoutException e) {
            // Not acknowledged: the failure strategy stops the channel without committing this offset.
            throw new IllegalStateException("could not dead-letter request at offset " + offset, e);
        }
        in.ack();
        LOG.debugf("request at %d dead-lettered: %s", offset, reason);
        return null;
    }
}
