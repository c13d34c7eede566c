package dev.fmnist.inference.watch.drift;

import dev.fmnist.contracts.Alert;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.messaging.AlertPublisher;
import dev.fmnist.inference.service.InferenceMetrics;
import dev.fmnist.inference.service.ModelService;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.watch.ScoredRequestObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Drift on the request stream: every scored image of a served model goes to that model's {@link ModelDrift}
 * (input and prediction drift over a sliding window, against the shipped {@link DriftReference}); a started
 * episode is an {@link Alert.Kind#DRIFT} alert. Its gauges exist from startup for every served model:
 * {@value #PSI}{model, feature} (feature = mean, contrast, lit, border, predictions; NaN until the window
 * has filled) and {@value #ACTIVE}{model} (1 while either detector's episode lasts). Built at startup
 * ({@link Startup}) so the gauges are there before the first request.
 */
@Startup
@ApplicationScoped
public class DriftWatch implements ScoredRequestObserver {
    /** PSI of the last evaluation, by model and feature ({@code predictions}: the answered class mix). */
    public static final String PSI = "fmnist.inference.drift.psi";
    /** 1 while a drift episode (input or prediction) of the model lasts, else 0. */
    public static final String ACTIVE = "fmnist.inference.drift.active";
    /** Largest window accepted: 4 MB of ring per model. */
    static final int MAX_WINDOW = 1_000_000;
    private static final Logger LOG = Logger.getLogger(DriftWatch.class);

    private final boolean enabled;
    private final Map<ServedModel, ModelDrift> byModel;

    @Inject
    public DriftWatch(DriftConfig config, ModelService models, MeterRegistry registry, AlertPublisher alerts) {
        this(config, DriftReference.shipped(), models.served(), registry,
                (model, live, reason, figures) -> alerts.raise(Alert.Kind.DRIFT, model, Map.of("live", live), reason,
                        figures),
                Clock.systemUTC());
    }

    DriftWatch(DriftConfig config, DriftReference reference, List<ServedModel> served, MeterRegistry registry,
               DriftAlarm alarm, Clock clock) {
        check(config);
        this.enabled = config.enabled();
        Map<ServedModel, ModelDrift> detectors = new IdentityHashMap<>();
        for (ServedModel m : served) {
            ModelDrift drift = new ModelDrift(m.name(), reference, config, alarm, clock);
            detectors.put(m, drift);
            for (ImageFeature f : ImageFeature.values()) {
                gauge(registry, drift, f.tag(), f.ordinal());
            }
            gauge(registry, drift, ModelDrift.PREDICTIONS_TAG, ModelDrift.PREDICTIONS);
            Gauge.builder(ACTIVE, drift, d -> d.active() ? 1 : 0)
                    .description("1 while a drift episode (input or prediction) of the model lasts on this replica")
                    .tag(InferenceMetrics.MODEL_TAG, m.name()).register(registry);
        }
        this.byModel = detectors;
        LOG.infof("drift watch %s: window %d requests, evaluated every %d, input PSI %s (clear %s), prediction PSI"
                        + " %s (clear %s), cooldown %s, reference %s", enabled ? "on" : "off", config.window(),
                config.evaluateEvery(), config.inputThreshold(), config.inputClear(), config.predictionThreshold(),
                config.predictionClear(), config.cooldown(), reference.dataset());
    }

    private static void gauge(MeterRegistry registry, ModelDrift drift, String feature, int slot) {
        Gauge.builder(PSI, drift, d -> d.psi(slot))
                .description("PSI of the model's last requests against the training split (feature predictions:"
                        + " answered classes against the test split); NaN until the window has filled")
                .tag(InferenceMetrics.MODEL_TAG, drift.model()).tag("feature", feature).register(registry);
    }

    private static void check(DriftConfig config) {
        if (config.window() < 10 || config.window() > MAX_WINDOW) {
            throw new IllegalArgumentException("fmnist.inference.drift.window must be 10 to " + MAX_WINDOW + ", not "
                    + config.window());
        }
        if (config.evaluateEvery() < 1) {
            throw new IllegalArgumentException("fmnist.inference.drift.evaluate-every must be at least 1, not "
                    + config.evaluateEvery());
        }
        if (config.cooldown().isNegative()) {
            throw new IllegalArgumentException("fmnist.inference.drift.cooldown must not be negative");
        }
        for (String detector : List.of("input", "prediction")) {
            double threshold = detector.equals("input") ? config.inputThreshold() : config.predictionThreshold();
            double clear = detector.equals("input") ? config.inputClear() : config.predictionClear();
            if (!(clear > 0) || !(threshold >= clear) || !Double.isFinite(threshold)) {
                throw new IllegalArgumentException("fmnist.inference.drift." + detector + "-clear (" + clear
                        + ") must be above 0 and at most " + detector + "-threshold (" + threshold + ")");
            }
        }
    }

    @Override
    public void scored(ServedModel model, LoadedModel version, byte[] pixels, int offset, int predicted,
                       Integer label) {
        if (!enabled) {
            return;
        }
        ModelDrift drift = byModel.get(model);
        if (drift != null) {
            drift.observe(version.version(), pixels, offset, predicted);
        }
    }

    /** The detector of a served model (tests). */
    ModelDrift drift(ServedModel model) {
        return byModel.get(model);
    }
}
