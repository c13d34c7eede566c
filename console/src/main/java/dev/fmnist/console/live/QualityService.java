package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.console.quality.ModelQuality;
import dev.fmnist.console.quality.QualityEvaluator;
import dev.fmnist.console.quality.TestSet;
import dev.fmnist.contracts.WeightSnapshot;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The quality panel: the version the inference service serves, scored on the whole test split.
 * Scored again when the served version changes (a swap, a pin, a rollback), when its snapshot
 * arrives after the swap was seen, or when the test split becomes complete; one computation at a
 * time on its own thread, always for the latest wish.
 */
@ApplicationScoped
public class QualityService {
    private static final Logger LOG = Logger.getLogger(QualityService.class);
    private final ConsoleConfig config;
    private final EventHub hub;
    private final SnapshotView snapshots;
    private final DataView data;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "console-quality");
        t.setDaemon(true);
        return t;
    });
    private long servedVersion = -1;
    /** What the current panel shows: version and test set it was computed on. */
    private String shown = "";

    public QualityService(ConsoleConfig config, EventHub hub, SnapshotView snapshots, DataView data) {
        this.config = config;
        this.hub = hub;
        this.snapshots = snapshots;
        this.data = data;
        snapshots.onNewVersion(this::refresh);
        data.onTestSet(this::refresh);
        hub.publish("quality", Map.of("state", "waiting", "reason", "no served model seen yet"));
    }

    void stop(@Observes ShutdownEvent event) {
        worker.shutdownNow();
    }

    /** The inference service serves this version now (-1: none, or unreachable). */
    public void served(long version) {
        synchronized (this) {
            if (version == servedVersion) {
                return;
            }
            servedVersion = version;
        }
        refresh();
    }

    private void refresh() {
        worker.execute(this::compute);
    }

    private void compute() {
        long version;
        synchronized (this) {
            version = servedVersion;
        }
        if (version < 1) {
            return; // keep the last panel: a model that disappears for a poll is still the last one served
        }
        Optional<TestSet> test = data.testSet();
        Optional<WeightSnapshot> snapshot = snapshots.version(version);
        if (test.isEmpty()) {
            waiting(version, "the test split is not complete on " + dev.fmnist.contracts.Topics.TEST + " yet");
            return;
        }
        if (snapshot.isEmpty()) {
            waiting(version, "the snapshot of v" + version + " is not on " + dev.fmnist.contracts.Topics.SNAPSHOTS
                    + " (not read yet, or compacted away)");
            return;
        }
        String key = version + "/" + test.get().datasetId() + "/" + test.get().count();
        synchronized (this) {
            if (key.equals(shown)) {
                return;
            }
        }
        long start = System.nanoTime();
        ModelQuality q = QualityEvaluator.evaluate(snapshot.get(), test.get(), config.gallerySize());
        LOG.debugf("scored v%d on %d test images in %d ms", version, q.total(), (System.nanoTime() - start) / 1_000_000);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("state", "ready");
        view.put("quality", q);
        view.put("snapshotTestAccuracy", finite(snapshot.get().metrics().testAccuracy()));
        synchronized (this) {
            shown = key;
        }
        hub.publish("quality", view);
    }

    private void waiting(long version, String reason) {
        synchronized (this) {
            shown = "";
        }
        hub.publish("quality", Map.of("state", "waiting", "modelVersion", version, "reason", reason));
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
