package dev.fmnist.inference.watch.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.FashionMnist;
import dev.fmnist.contracts.idx.FashionMnistData;
import dev.fmnist.contracts.image.DecodeBudget;
import dev.fmnist.contracts.image.ImageDecoder;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.ClassificationService;
import dev.fmnist.inference.service.ContentKind;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.support.SoftmaxFit;
import dev.fmnist.inference.support.TestConfig;
import dev.fmnist.inference.watch.RequestWatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detectors through the real served scoring: a softmax fitted like the seed (one epoch of the training
 * split) answers every request through {@link ClassificationService}, whose {@link RequestWatch} feeds the
 * {@link DriftWatch}, so the prediction detector sees the classes the model really answers.
 */
class DriftDetectionTest {
    private static FashionMnistData data;
    private static SoftmaxFit.Fit fit;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InferenceMetrics metrics = new InferenceMetrics(registry);
    private final ModelService models = new ModelService(new TestConfig(10), dev.fmnist.inference.support.TestPromotion.latest(), metrics);
    private final ServedModel softmax = models.defaultModel();
    private final List<Raised> alerts = new ArrayList<>();
    private final MutableClock clock = new MutableClock();

    record Raised(String model, long version, String reason, Map<String, Double> figures) {
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-12-07T12:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @BeforeAll
    static void fit() {
        data = SoftmaxFit.data();
        fit = SoftmaxFit.fit(data, data.train().count(), 1, 42);
    }

    private DriftWatch watch(DriftConfig config) {
        softmax.offer(LoadedModel.of(SoftmaxFit.snapshot(softmax.name(), 3, fit, Instant.EPOCH), Instant.EPOCH));
        return new DriftWatch(config, DriftReference.shipped(), models.served(), registry,
                (model, live, reason, figures) -> alerts.add(new Raised(model, live, reason, figures)), clock);
    }

    private ClassificationService service(DriftWatch watch) {
        return new ClassificationService(models, metrics, new TestConfig(10),
                new ImageDecoder(134_217_728, new DecodeBudget(256L << 20), Duration.ofMillis(200)),
                new RequestWatch(List.of(watch)));
    }

    private static byte[] testImage(int k, boolean inverted) {
        byte[] px = Arrays.copyOfRange(data.test().images().pixels(), k * FashionMnist.PIXELS,
                (k + 1) * FashionMnist.PIXELS);
        if (inverted) {
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (255 - (px[i] & 0xFF));
            }
        }
        return px;
    }

    /** The test split {@code times} times over, shuffled with {@code seed}. */
    private static int[] shuffled(int times, long seed) {
        int n = data.test().count();
        int[] order = new int[n * times];
        for (int i = 0; i < order.length; i++) {
            order[i] = i % n;
        }
        Random rnd = new Random(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private double gauge(String name, String feature) {
        var search = registry.get(name).tag("model", softmax.name());
        return (feature == null ? search : search.tag("feature", feature)).gauge().value();
    }

    private static List<String> slots() {
        List<String> s = new ArrayList<>();
        for (ImageFeature f : ImageFeature.values()) {
            s.add(f.tag());
        }
        s.add(ModelDrift.PREDICTIONS_TAG);
        return s;
    }

    @Test
    void theTestSplitTenTimesShuffledRaisesNothing() {
        DriftWatch watch = watch(TestDriftConfig.defaults());
        ClassificationService service = service(watch);
        double[] worst = new double[slots().size()];
        int[] order = shuffled(10, 2024);
        for (int i = 0; i < order.length; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[i], false), null);
            if ((i + 1) % 100 == 0 && i + 1 >= 1000) {
                for (int s = 0; s < worst.length; s++) {
                    worst[s] = Math.max(worst[s], gauge(DriftWatch.PSI, slots().get(s)));
                }
                assertEquals(0, gauge(DriftWatch.ACTIVE, null), "no episode after " + (i + 1));
            }
        }
        System.out.println("largest PSI over 100,000 test images, window 1000: " + slots() + " " + Arrays.toString(worst));
        assertEquals(List.of(), alerts);
        for (ImageFeature f : ImageFeature.values()) {
            double psi = worst[f.ordinal()];
            assertTrue(psi > 0 && psi < 0.1, f.tag() + " stays below input's clear level: " + psi);
        }
        // the model's own confusions shift its class mix: the whole test split's answers against its labels
        int[] answered = new int[16];
        for (int k = 0; k < data.test().count(); k++) {
            answered[service.classifyPixels(ContentKind.RAW, softmax, testImage(k, false), null).classIndex()]++;
        }
        double bias = Psi.of(answered, 0, data.test().count(),
                Psi.proportions(DriftReference.shipped().predictions().counts()));
        System.out.printf("PSI of the answers on the whole test split: %.4f (accuracy %.4f)%n", bias, fit.testAccuracy());
        double predictions = worst[ModelDrift.PREDICTIONS];
        assertTrue(predictions > bias && predictions < 0.2, "predictions stay below the threshold with a margin: "
                + predictions);
    }

    @Test
    void darkOnLightImagesRaiseInputDriftWithinTheFirstThousandOnce() {
        DriftWatch watch = watch(TestDriftConfig.defaults());
        ClassificationService service = service(watch);
        assertTrue(Double.isNaN(gauge(DriftWatch.PSI, "border")), "no figure before the window has filled");
        int[] order = shuffled(1, 5);
        for (int i = 0; i < 1000; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[i], false), null);
        }
        assertEquals(List.of(), alerts);
        assertTrue(gauge(DriftWatch.PSI, "border") < 0.1, "the window of ordinary images: " + gauge(DriftWatch.PSI, "border"));
        int firstInput = -1;
        for (int i = 0; i < 3000; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[1000 + i], true), null);
            if (firstInput < 0 && alerts.stream().anyMatch(a -> a.reason().startsWith("input drift"))) {
                firstInput = i + 1;
            }
        }
        System.out.println("input drift alert after " + firstInput + " inverted images; alerts: " + alerts);
        assertTrue(firstInput > 0 && firstInput <= 1000, "raised after " + firstInput + " inverted images");
        List<Raised> input = alerts.stream().filter(a -> a.reason().startsWith("input drift")).toList();
        assertEquals(1, input.size(), "one alert for the episode: " + alerts);
        Raised a = input.get(0);
        assertEquals("fmnist-softmax", a.model());
        assertEquals(3, a.version(), "the live version");
        assertTrue(a.reason().contains("border"), a.reason());
        for (String slot : slots()) {
            assertTrue(a.figures().containsKey("psi." + slot), "figure psi." + slot + " in " + a.figures());
        }
        assertTrue(a.figures().get("psi.border") >= 0.25, a.figures().toString());
        assertEquals(1000.0, a.figures().get("window"));
        assertEquals(0.25, a.figures().get("threshold"));
        assertEquals(1, gauge(DriftWatch.ACTIVE, null));
        assertTrue(gauge(DriftWatch.PSI, "border") > 1, "all 1000 inverted: " + gauge(DriftWatch.PSI, "border"));
        assertTrue(alerts.stream().filter(r -> r.reason().startsWith("prediction drift")).count() <= 1,
                "at most one prediction drift alert: " + alerts);
    }

    @Test
    void anEpisodeEndsBelowTheClearLevelAndANewOneAlertsOnlyAfterTheCooldown() {
        DriftWatch watch = watch(TestDriftConfig.defaults().withWindow(200, 20));
        ClassificationService service = service(watch);
        int[] order = shuffled(2, 11);
        int next = 0;
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], true), null);
        }
        long inputAlerts = alerts.stream().filter(a -> a.reason().startsWith("input drift")).count();
        assertEquals(1, inputAlerts);
        assertTrue(watch.drift(softmax).inputActive());
        // back to ordinary images: the episode lasts while any feature's PSI is at or above 0.1
        int toClear = 0;
        while (watch.drift(softmax).inputActive() && toClear < 400) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
            toClear++;
        }
        assertFalse(watch.drift(softmax).inputActive(), "ended after " + toClear + " ordinary images");
        assertTrue(toClear > 100, "not before most of the window is ordinary again: " + toClear);
        // a second episode 1 minute later: shown, not alerted (cooldown 15 min)
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], true), null);
        }
        assertTrue(watch.drift(softmax).inputActive());
        assertEquals(1, gauge(DriftWatch.ACTIVE, null));
        assertEquals(1, alerts.stream().filter(a -> a.reason().startsWith("input drift")).count(), "cooling down");
        // and a third after the cooldown: alerted
        for (int i = 0; i < 400 && watch.drift(softmax).inputActive(); i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        clock.advance(Duration.ofMinutes(15));
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], true), null);
        }
        assertEquals(2, alerts.stream().filter(a -> a.reason().startsWith("input drift")).count(), alerts.toString());
    }

    private List<Raised> clearings() {
        return alerts.stream().filter(a -> a.figures().getOrDefault(Alert.CLEARED, 0.0) == 1.0).toList();
    }

    @Test
    void aLongEpisodeIsOneStartAlertAndOneClearingAtItsEnd() {
        DriftWatch watch = watch(TestDriftConfig.defaults().withWindow(200, 20));
        ClassificationService service = service(watch);
        int[] order = shuffled(2, 17);
        int next = 0;
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        // three hours of dark-on-light traffic: far past the cooldown (15 min) and any banner window
        for (int hour = 0; hour < 6; hour++) {
            for (int i = 0; i < 200; i++) {
                service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], true), null);
            }
            clock.advance(Duration.ofMinutes(30));
            assertTrue(watch.drift(softmax).inputActive());
        }
        assertEquals(1, alerts.stream().filter(a -> a.reason().startsWith("input drift")).count(), alerts.toString());
        assertEquals(List.of(), clearings(), "no clearing while the episode lasts");
        int toClear = 0;
        while (watch.drift(softmax).active() && toClear < 600) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
            toClear++;
        }
        assertFalse(watch.drift(softmax).active(), "ended after " + toClear + " ordinary images");
        assertEquals(1, clearings().size(), "one clearing, at the evaluation that found the drift over: " + alerts);
        Raised cleared = alerts.get(alerts.size() - 1);
        assertEquals(1.0, cleared.figures().get(Alert.CLEARED), "the clearing is the last alert");
        assertEquals(3, cleared.version());
        assertTrue(cleared.reason().startsWith("drift of fmnist-softmax is over"), cleared.reason());
        assertTrue(cleared.figures().get("psi.border") < 0.1, cleared.figures().toString());
        assertEquals(0, gauge(DriftWatch.ACTIVE, null));
        for (int i = 0; i < 400; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        assertEquals(1, clearings().size(), "cleared once");
    }

    @Test
    void theClearingOfAShortEpisodeWaitsForTheCooldownSoARestartWithinItStillHasItsAlertStanding() {
        DriftWatch watch = watch(TestDriftConfig.defaults().withWindow(200, 20));
        ClassificationService service = service(watch);
        int[] order = shuffled(2, 19);
        int next = 0;
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], true), null);
        }
        for (int i = 0; i < 400 && watch.drift(softmax).active(); i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        assertFalse(watch.drift(softmax).active());
        assertEquals(List.of(), clearings(), "over within the cooldown of its alert: not cleared yet");
        // starts again 5 minutes later: no second alert (cooldown), and the first one still stands for it
        clock.advance(Duration.ofMinutes(5));
        for (int i = 0; i < 200; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], true), null);
        }
        assertTrue(watch.drift(softmax).active());
        assertEquals(List.of(), clearings());
        for (int i = 0; i < 400 && watch.drift(softmax).active(); i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        assertEquals(List.of(), clearings(), "still within the cooldown");
        // past the cooldown the next evaluation clears it
        clock.advance(Duration.ofMinutes(11));
        for (int i = 0; i < 20; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[next++], false), null);
        }
        assertEquals(1, clearings().size(), alerts.toString());
        assertEquals(1, alerts.stream().filter(a -> a.reason().startsWith("input drift")).count(), alerts.toString());
    }

    @Test
    void everyServedModelHasItsGaugesFromTheStartAndMemoryIsTheWindow() {
        DriftWatch watch = watch(TestDriftConfig.defaults().withWindow(500, 50));
        for (String slot : slots()) {
            assertTrue(Double.isNaN(gauge(DriftWatch.PSI, slot)), slot);
        }
        assertEquals(0, gauge(DriftWatch.ACTIVE, null));
        ClassificationService service = service(watch);
        int[] order = shuffled(1, 3);
        for (int i = 0; i < 5_000; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(order[i], false), null);
        }
        assertEquals(500, watch.drift(softmax).windowSize());
        assertEquals(500, watch.drift(softmax).filled(), "5,000 requests, 500 in the window");
        for (String slot : slots()) {
            assertFalse(Double.isNaN(gauge(DriftWatch.PSI, slot)), slot + " measured once the window has filled");
        }
    }

    @Test
    void offMeansNothingIsMeasured() {
        TestDriftConfig d = TestDriftConfig.defaults();
        DriftWatch watch = watch(new TestDriftConfig(false, 100, 10, d.inputThreshold(), d.inputClear(),
                d.predictionThreshold(), d.predictionClear(), d.cooldown()));
        ClassificationService service = service(watch);
        for (int i = 0; i < 300; i++) {
            service.classifyPixels(ContentKind.RAW, softmax, testImage(i, true), null);
        }
        assertEquals(0, watch.drift(softmax).filled());
        assertTrue(Double.isNaN(gauge(DriftWatch.PSI, "mean")));
        assertEquals(List.of(), alerts);
    }

    @Test
    void aBadConfigurationStopsStartupNamingTheProperty() {
        TestDriftConfig d = TestDriftConfig.defaults();
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> watch(d.withWindow(5, 1)));
        assertTrue(small.getMessage().contains("fmnist.inference.drift.window"), small.getMessage());
        IllegalArgumentException clear = assertThrows(IllegalArgumentException.class, () -> watch(new TestDriftConfig(
                true, 1000, 100, 0.1, 0.2, 0.25, 0.1, d.cooldown())));
        assertTrue(clear.getMessage().contains("input-clear"), clear.getMessage());
    }
}
