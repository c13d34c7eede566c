package dev.fmnist.inference.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.ClassificationCodec;
import dev.fmnist.contracts.ClassificationRequest;
import dev.fmnist.contracts.Prediction;
import dev.fmnist.contracts.Topics;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.support.InMemoryChannels;
import dev.fmnist.inference.support.SoftmaxFit;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import io.smallrye.reactive.messaging.memory.InMemorySource;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * The Kafka request path's decisions with the channels in memory (no broker): a request that arrives
 * before any model waits, unacknowledged, and is scored by the first model that loads; its prediction
 * is keyed by the request id for the predictions topic, and only then is the request acknowledged.
 */
@QuarkusTest
@TestProfile(InMemoryChannels.class)
class RequestProcessorTest {
    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ModelService models;

    @Test
    void aRequestWaitsForTheFirstModelAndIsAcknowledgedAfterItsPrediction() throws Exception {
        InMemorySource<Message<byte[]>> requests = connector.source(Channels.REQUESTS_IN);
        InMemorySink<byte[]> predictions = connector.sink(Channels.PREDICTIONS_OUT);
        int[] pixels = new int[784];
        byte[] raw = new byte[784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i * 37) % 256;
            raw[i] = (byte) pixels[i];
        }
        CompletableFuture<Void> acked = new CompletableFuture<>();
        requests.send(Message.of(ClassificationCodec.encodeRequest(new ClassificationRequest("req-1", pixels, null, false, null)))
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                }));

        await("no prediction and no acknowledgement before a model is loaded").during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5)).until(() -> predictions.received().isEmpty() && !acked.isDone());

        LoadedModel model = LoadedModel.of(SoftmaxFit.snapshot("fmnist-softmax", 3, SoftmaxFit.random(3, 0.05),
                Instant.EPOCH), Instant.EPOCH);
        models.defaultModel().offer(model);
        acked.get(30, TimeUnit.SECONDS);

        assertEquals(1, predictions.received().size());
        Message<byte[]> out = predictions.received().get(0);
        Prediction p = ClassificationCodec.decodePrediction(out.getPayload());
        assertEquals("req-1", p.id());
        assertEquals(3, p.modelVersion());
        assertEquals("fmnist-softmax", p.model());
        assertEquals(Scorer.argmax(Scorer.score(model, raw)), p.classIndex());
        OutgoingKafkaRecordMetadata<?> meta = out.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        assertEquals("req-1", meta.getKey());
        assertEquals(Topics.PREDICTIONS, meta.getTopic());
    }
}
