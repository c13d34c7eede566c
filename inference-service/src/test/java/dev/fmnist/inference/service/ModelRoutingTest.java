package dev.fmnist.inference.service;

import dev.fmnist.inference.support.TestPromotion;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.Scorer;
import dev.fmnist.inference.oip.OipService;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestConfig;
import dev.fmnist.inference.support.TestNetworks;
import dev.fmnist.support.rest.ApiException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Two models served side by side: which one a request names, the default route, refusals and metrics. */
class ModelRoutingTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InferenceMetrics metrics = new InferenceMetrics(registry);
    private final ModelService models = new ModelService(config(List.of("softmax", "fmnist-cnn"), null), TestPromotion.latest(), metrics);
    private final ClassificationService service = new ClassificationService(models, metrics, new TestConfig(10),
            new ImageDecoder(134_217_728, new DecodeBudget(256L << 20), Duration.ofMillis(200)), dev.fmnist.inference.watch.RequestWatch.none());
    private final LoadedModel softmax = LoadedModel.of(SoftmaxFit.snapshot("fmnist-softmax", 7,
            SoftmaxFit.random(7, 0.05), Instant.EPOCH), Instant.EPOCH);
    private final LoadedModel cnn = LoadedModel.of(TestNetworks.snapshot("fmnist-cnn", 1,
            TestNetworks.random(ModelFamily.CNN, 1), Instant.EPOCH), Instant.EPOCH);

    private static TestConfig config(List<String> served, String defaultModel) {
        return new TestConfig(10) {
            @Override
            public List<String> models() {
                return served;
            }

            @Override
            public Optional<String> defaultModel() {
                return Optional.ofNullable(defaultModel);
            }
        };
    }

    private static byte[] image(int seed) {
        byte[] px = new byte[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i * 31 + seed * 17) % 256);
        }
        return px;
    }

    private double requests(String model, ContentKind kind, Outcome outcome) {
        return registry.get(InferenceMetrics.REQUESTS).tag("model", model).tag("content.type", kind.tag())
                .tag("outcome", outcome.tag()).counter().count();
    }

    @Test
    void aModelIsNamedByFamilyIdOrModelNameAndScoredByItsOwnNetwork() {
        models.model("softmax").offer(softmax);
        models.model("fmnist-cnn").offer(cnn);
        assertEquals(List.of("fmnist-softmax", "fmnist-cnn"), models.names());
        for (String name : new String[] {"cnn", "fmnist-cnn", "CNN"}) {
            ServedModel m = service.model(ContentKind.RAW, name);
            assertEquals("fmnist-cnn", m.name());
            Classification c = service.classifyPixels(ContentKind.RAW, m, image(1), null);
            assertArrayEquals(Scorer.score(cnn, image(1)), c.probabilities());
            assertEquals("fmnist-cnn", c.model());
            assertEquals(1, c.modelVersion());
        }
        Classification s = service.classifyPixels(ContentKind.RAW, service.model(ContentKind.RAW, "softmax"),
                image(1), null);
        assertArrayEquals(Scorer.score(softmax, image(1)), s.probabilities());
        assertEquals(7, s.modelVersion());
        assertFalse(Arrays.equals(Scorer.score(cnn, image(1)), Scorer.score(softmax, image(1))),
                "the two models answer differently, so the checks above tell them apart");
        assertEquals(3, requests("fmnist-cnn", ContentKind.RAW, Outcome.OK));
        assertEquals(1, requests("fmnist-softmax", ContentKind.RAW, Outcome.OK));
    }

    @Test
    void noModelNamedIsTheDefaultTheFirstListedUnlessConfigured() {
        assertEquals("fmnist-softmax", models.model(null).name());
        models.model(null).offer(softmax);
        assertEquals(7, service.classifyPixels(ContentKind.JSON, service.model(ContentKind.JSON, null), image(2), 3)
                .modelVersion());
        ModelService cnnFirst = new ModelService(config(List.of("softmax", "cnn"), "fmnist-cnn"), TestPromotion.latest(),
                new InferenceMetrics(new SimpleMeterRegistry()));
        assertEquals("fmnist-cnn", cnnFirst.defaultModel().name());
        assertEquals("fmnist-cnn", cnnFirst.model(null).name());
    }

    @Test
    void anUnknownOrNotServedModelIs404NamingTheServedOnesCountedAsUnknown() {
        for (String name : new String[] {"mlp", "fmnist-mlp", "resnet", ""}) {
            ApiException e = assertThrows(ApiException.class, () -> service.model(ContentKind.PNG, name));
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains("unknown model '" + name + "'")
                    && e.getMessage().contains("[fmnist-softmax, fmnist-cnn]"), e.getMessage());
        }
        assertEquals(4, requests(InferenceMetrics.UNKNOWN_MODEL, ContentKind.PNG, Outcome.UNKNOWN_MODEL));
        assertEquals(InferenceMetrics.UNKNOWN_MODEL, models.tagOf("resnet"));
        assertEquals("fmnist-cnn", models.tagOf("cnn"));
        assertEquals("fmnist-softmax", models.tagOf(null));
    }

    @Test
    void eachModelHasItsOwnVersionsAndReadinessNeedsEveryOne() {
        models.model("cnn").offer(cnn);
        assertFalse(models.allLive(), "softmax has no version yet");
        assertThrows(ModelUnavailableException.class, () -> service.classifyPixels(ContentKind.RAW,
                models.model("softmax"), image(1), null));
        assertEquals(1, requests("fmnist-softmax", ContentKind.RAW, Outcome.UNAVAILABLE));
        models.model("softmax").offer(softmax);
        assertTrue(models.allLive());
        assertEquals(List.of(7L), models.model("softmax").registry().state().retained().stream()
                .map(LoadedModel::version).toList());
        assertEquals(1, models.model("cnn").registry().state().highestSeen());
        ApiException notKept = assertThrows(ApiException.class, () -> models.model("cnn").resolve("7"));
        assertTrue(notKept.getMessage().contains("fmnist-cnn"), notKept.getMessage());
        assertEquals(1, registry.get(InferenceMetrics.MODEL_VERSION).tag("model", "fmnist-cnn").gauge().value());
        assertEquals(7, registry.get(InferenceMetrics.MODEL_VERSION).tag("model", "fmnist-softmax").gauge().value());
    }

    @Test
    void oipShowsEachModelsRealInputShapeAndServesBoth() {
        models.model("softmax").offer(softmax);
        models.model("cnn").offer(cnn);
        OipService oip = new OipService(models, new TestConfig(10));
        Map<String, Object> cnnMeta = oip.metadata("fmnist-cnn", null);
        assertEquals("fmnist-cnn", cnnMeta.get("name"));
        assertEquals(List.of(-1L, 1L, 28L, 28L), ((List<?>) cnnMeta.get("inputs")).stream()
                .map(t -> ((Map<?, ?>) t).get("shape")).findFirst().orElseThrow());
        assertEquals(List.of(-1L, 784L), ((List<?>) oip.metadata("softmax", null).get("inputs")).stream()
                .map(t -> ((Map<?, ?>) t).get("shape")).findFirst().orElseThrow());
        assertEquals(404, assertThrows(ApiException.class, () -> oip.metadata("fmnist-mlp", null)).status());
        assertTrue(oip.ready());
    }

    @Test
    void aDefaultThatIsNotServedOrAnUnknownFamilyStopsStartupWithTheReason() {
        var metricsOnly = new InferenceMetrics(new SimpleMeterRegistry());
        IllegalArgumentException notServed = assertThrows(IllegalArgumentException.class,
                () -> new ModelService(config(List.of("softmax"), "cnn"), TestPromotion.latest(), metricsOnly));
        assertTrue(notServed.getMessage().contains("fmnist.inference.default-model 'cnn' is not served")
                && notServed.getMessage().contains("[fmnist-softmax]"), notServed.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new ModelService(config(List.of("softmax", "lenet"), null), TestPromotion.latest(), metricsOnly));
        assertTrue(unknown.getMessage().contains("fmnist.inference.models")
                && unknown.getMessage().contains("lenet"), unknown.getMessage());
    }
}
