package dev.fmnist.inference.service;

import dev.fmnist.inference.support.TestPromotion;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fmnist.contracts.image.ImageConverter;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClassificationServiceTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InferenceMetrics metrics = new InferenceMetrics(registry);
    private final ModelService models = new ModelService(new TestConfig(10), TestPromotion.latest(), metrics);
    private final ServedModel softmax = models.defaultModel();
    private final ClassificationService service = new ClassificationService(models, metrics, new TestConfig(10),
            new dev.fmnist.contracts.image.ImageDecoder(134_217_728, new dev.fmnist.contracts.image.DecodeBudget(256L << 20), java.time.Duration.ofMillis(200)), dev.fmnist.inference.watch.RequestWatch.none());

    private double count(ContentKind kind, Outcome outcome) {
        return registry.get(InferenceMetrics.REQUESTS).tag("model", "fmnist-softmax").tag("content.type", kind.tag())
                .tag("outcome", outcome.tag()).counter().count();
    }

    private LoadedModel load(long version) {
        LoadedModel m = LoadedModel.of(SoftmaxFit.snapshot("fmnist-softmax", version, SoftmaxFit.random(version, 0.05),
                Instant.EPOCH), Instant.EPOCH);
        softmax.offer(m);
        return m;
    }

    private static byte[] image(int seed) {
        byte[] px = new byte[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i * 31 + seed * 17) % 256);
        }
        return px;
    }

    @Test
    void withoutAModelTheRequestIsUnavailableAndCounted() {
        assertThrows(ModelUnavailableException.class, () -> service.classifyPixels(ContentKind.RAW, softmax, image(0), null));
        assertEquals(1, count(ContentKind.RAW, Outcome.UNAVAILABLE));
    }

    @Test
    void pixelsAreScoredByTheLiveModelAndLabelsFeedOnlineAccuracy() {
        LoadedModel m = load(4);
        Classification c = service.classifyPixels(ContentKind.JSON, softmax, image(1), 3);
        assertArrayEquals(Scorer.score(m, image(1)), c.probabilities());
        assertEquals(4, c.modelVersion());
        assertEquals(1, count(ContentKind.JSON, Outcome.OK));
        assertEquals(1, registry.get(InferenceMetrics.ACCURACY_LABELLED).tag("model", "fmnist-softmax").tag("model.version", "4").counter().count());
    }

    @Test
    void aBatchIsScoredLikeItsImagesOneByOne() {
        load(2);
        byte[] both = new byte[2 * 784];
        System.arraycopy(image(1), 0, both, 0, 784);
        System.arraycopy(image(2), 0, both, 784, 784);
        var out = service.classifyBatch(softmax, new PixelBatch(both, 2, new Integer[] {null, 5}));
        assertEquals(2, out.size());
        for (int k = 0; k < 2; k++) {
            Classification one = service.classifyPixels(ContentKind.RAW, softmax, image(k + 1), null);
            assertEquals(one.classIndex(), out.get(k).classIndex());
            for (int j = 0; j < 10; j++) {
                assertEquals(one.probabilities()[j], out.get(k).probabilities()[j], 1e-5);
            }
        }
        assertEquals(1, count(ContentKind.JSON_BATCH, Outcome.OK));
    }

    @Test
    void aBadImageIsABadRequestCountedUnderItsKind() {
        load(1);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> service.classifyImage(ContentKind.PNG, softmax, "not a png".getBytes(), false, null));
        assertEquals(Outcome.BAD_REQUEST, e.outcome());
        assertEquals(1, count(ContentKind.PNG, Outcome.BAD_REQUEST));
        Classification png = service.classifyImage(ContentKind.PNG, softmax, ImageConverter.encodePng(image(3)), false, null);
        assertEquals(service.classifyPixels(ContentKind.RAW, softmax, image(3), null).classIndex(), png.classIndex());
    }

    @Test
    void aBatchMustMatchItsLabels() {
        assertThrows(IllegalArgumentException.class, () -> new PixelBatch(new byte[784], 1, new Integer[2]));
        assertThrows(IllegalArgumentException.class, () -> new PixelBatch(Arrays.copyOf(new byte[784], 700), 1,
                new Integer[1]));
    }
}
