package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.console.quality.Disagreement;
import dev.fmnist.console.quality.ModelQuality;
import dev.fmnist.console.quality.QualityEvaluator;
import dev.fmnist.console.quality.TestSet;
import dev.fmnist.contracts.Topics;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The quality panels: for each followed model, the version the inference service serves of it, scored on
 * the whole test split (event {@code quality.MODEL}); and, with two models or more, their comparison (event
 * {@code comparison}): each one's accuracy and confusion matrix side by side and where they disagree
 * ({@link Disagreement}). A model is scored again when its served version changes (a swap, a pin, a
 * rollback), when its snapshot arrives after the swap was seen, or when the test split becomes complete; one
 * computation at a time on its own thread, always for the latest wish.
 */
@ApplicationScoped
public class QualityService {
    private static final Logger LOG = Logger.getLogger(QualityService.class);

    /** What a model's panel shows: the key (version and test set) and its predictions, for the comparison. */
    private record Shown(String key, long version, ModelQuality quality, byte[] predictions) {
    }

    private final ConsoleConfig config;
    private final EventHub hub;
    private final SnapshotView snapshots;
    private final DataView data;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "console-quality");
        t.setDaemon(true);
        return t;
    });
    private final Map<ModelFamily, Long> served = new EnumMap<>(ModelFamily.class);
    private final Map<ModelFamily, Shown> shown = new EnumMap<>(ModelFamily.class);
    private String compared = "";

    public QualityService(ConsoleConfig config, EventHub hub, SnapshotView snapshots, DataView data) {
        this.config = config;
        this.hub = hub;
        this.snapshots = snapshots;
        this.data = data;
        snapshots.onNewVersion(f -> refresh());
        data.onTestSet(this::refresh);
        for (ModelFamily f : snapshots.families()) {
            hub.publish(event(f), Map.of("name", f.modelName(), "state", "waiting", "reason", "no served model seen yet"));
        }
        if (snapshots.families().size() > 1) {
            hub.publish("comparison", Map.of("state", "waiting", "reason", "no model scored yet"));
        }
    }

    void stop(@Observes ShutdownEvent event) {
        worker.shutdownNow();
    }

    /** The inference service serves this version of the first followed model now (-1: none, or unreachable). */
    public void served(long version) {
        served(snapshots.families().get(0), version);
    }

    /** The inference service serves this version of the model now (-1: none, or unreachable). */
    public void served(ModelFamily family, long version) {
        synchronized (this) {
            Long before = served.put(family, version);
            if (before != null && before == version) {
                return;
            }
        }
        refresh();
    }

    private void refresh() {
        worker.execute(this::compute);
    }

    private static String event(ModelFamily f) {
        return "quality." + f.modelName();
    }

    private void compute() {
        Optional<TestSet> test = data.testSet();
        for (ModelFamily f : snapshots.families()) {
            compute(f, test);
        }
        compare(test);
    }

    private void compute(ModelFamily family, Optional<TestSet> test) {
        long version;
        synchronized (this) {
            version = served.getOrDefault(family, -1L);
        }
        if (version < 1) {
            return; // keep the last panel: a model that disappears for a poll is still the last one served
        }
        Optional<WeightSnapshot> snapshot = snapshots.version(family, version);
        if (test.isEmpty()) {
            waiting(family, version, "the test split is not complete on " + Topics.TEST + " yet");
            return;
        }
        if (snapshot.isEmpty()) {
            waiting(family, version, "the snapshot of " + family.modelName() + " v" + version + " is not on "
                    + Topics.SNAPSHOTS + " (not read yet, or no longer held)");
            return;
        }
        String key = version + "/" + test.get().datasetId() + "/" + test.get().count();
        synchronized (this) {
            Shown now = shown.get(family);
            if (now != null && key.equals(now.key())) {
                return;
            }
        }
        long start = System.nanoTime();
        QualityEvaluator.Scored scored = QualityEvaluator.score(version, snapshot.get().network(), test.get(),
                config.gallerySize());
        LOG.debugf("scored %s v%d on %d test images in %d ms", family.modelName(), version, scored.quality().total(),
                (System.nanoTime() - start) / 1_000_000);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", family.modelName());
        view.put("state", "ready");
        view.put("quality", scored.quality());
        view.put("snapshotTestAccuracy", finite(snapshot.get().metrics().testAccuracy()));
        synchronized (this) {
            shown.put(family, new Shown(key, version, scored.quality(), scored.predictions()));
        }
        hub.publish(event(family), view);
    }

    private void waiting(ModelFamily family, long version, String reason) {
        synchronized (this) {
            shown.remove(family);
        }
        hub.publish(event(family), Map.of("name", family.modelName(), "state", "waiting", "modelVersion", version,
                "reason", reason));
    }

    /**
     * The comparison of every followed model whose served version is scored on the current test split; it
     * waits for two of them. Accuracy and confusion come from the panels already computed; only the
     * disagreement is counted here.
     */
    private void compare(Optional<TestSet> test) {
        if (snapshots.families().size() < 2 || test.isEmpty()) {
            return;
        }
        String testKey = test.get().datasetId() + "/" + test.get().count();
        List<Disagreement.Model> models = new ArrayList<>();
        List<Map<String, Object>> scored = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        StringBuilder key = new StringBuilder(testKey);
        synchronized (this) {
            for (ModelFamily f : snapshots.families()) {
                Shown s = shown.get(f);
                if (s == null || !s.key().endsWith("/" + testKey)) {
                    missing.add(f.modelName());
                    continue;
                }
                models.add(new Disagreement.Model(f.modelName(), s.version(), s.predictions()));
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("model", f.modelName());
                summary.put("modelVersion", s.version());
                summary.put("accuracy", s.quality().accuracy());
                summary.put("correct", s.quality().correct());
                summary.put("total", s.quality().total());
                summary.put("confusion", s.quality().confusion());
                scored.add(summary);
                key.append('|').append(f.modelName()).append('@').append(s.version());
            }
            if (key.toString().equals(compared)) {
                return;
            }
        }
        Map<String, Object> view = new LinkedHashMap<>();
        if (models.size() < 2) {
            view.put("state", "waiting");
            view.put("reason", "waiting for the quality of " + String.join(", ", missing));
            view.put("models", scored);
        } else {
            view.put("state", "ready");
            view.put("models", scored);
            view.put("missing", missing);
            view.put("disagreement", Disagreement.of(models, test.get(), config.disagreementExamples()));
        }
        synchronized (this) {
            compared = key.toString();
        }
        hub.publish("comparison", view);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
