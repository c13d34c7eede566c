package dev.fmnist.console.live;

import dev.fmnist.api.TrainingStatus;
import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.SnapshotKeys;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.support.snapshots.SnapshotTrust;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What fmnist.snapshots says about each followed model ({@code fmnist.console.models}): the per-epoch curves
 * (train loss, train accuracy, test accuracy, one point per finished epoch, as d2l draws them) and the
 * recent versions with their weights, which the quality panel scores. A snapshot with a measured test
 * accuracy closes an epoch; one whose epoch is not after the last point starts a new series from there (a
 * run from scratch). Only snapshots {@link SnapshotTrust} trusts are shown (read committed, Ed25519
 * signature verified with {@code fmnist.snapshots.public-keys}: the rule inference serves by); a refused one
 * is logged at WARN with the reason and counted ({@code refused} of its model's {@code snapshots} event).
 * Records of models not followed are skipped unread. Events: {@code curves.MODEL}, {@code snapshots.MODEL}
 * per model name, and {@code models} (the names, in the configured order).
 */
@ApplicationScoped
public class SnapshotView {
    /** One epoch's figures and the version that closed it; null = not measured. */
    public record Point(int epoch, Double trainLoss, Double trainAccuracy, Double testAccuracy, long modelVersion,
                        String source) {
    }

    /** A version seen on the topic, without its weights. */
    public record Version(long version, int epoch, long step, Instant createdAt, Double trainLoss, Double trainAccuracy,
                          Double testAccuracy, WeightSnapshot.Hyperparameters hyperparameters,
                          List<WeightSnapshot.SourceOffset> lineage) {
    }

    /** One model's state: its curve, the newest snapshots with weights, and how many records were refused. */
    private static final class Model {
        final TreeMap<Integer, Point> points = new TreeMap<>();
        final TreeMap<Long, WeightSnapshot> snapshots = new TreeMap<>();
        long rejected;
    }

    private static final Logger LOG = Logger.getLogger(SnapshotView.class);
    private final ConsoleConfig config;
    private final SnapshotTrust trust;
    private final EventHub hub;
    private final List<ModelFamily> families;
    private final Map<ModelFamily, Model> models = new EnumMap<>(ModelFamily.class);
    private final List<Consumer<ModelFamily>> listeners = new ArrayList<>();

    public SnapshotView(ConsoleConfig config, SnapshotTrust trust, EventHub hub) {
        this.config = config;
        this.trust = trust;
        this.hub = hub;
        this.families = List.copyOf(new LinkedHashSet<>(config.models()));
        families.forEach(f -> models.put(f, new Model()));
        Map<String, Object> names = new LinkedHashMap<>();
        names.put("models", families.stream().map(ModelFamily::modelName).toList());
        names.put("families", families.stream().map(ModelFamily::id).toList());
        hub.publish("models", names);
        families.forEach(this::publish);
    }

    /** The followed families, each once, in the configured order (the first is shown first). */
    public List<ModelFamily> families() {
        return families;
    }

    /** Called with the model when a new version of it arrives (the quality panel may have to score it). */
    public synchronized void onNewVersion(Consumer<ModelFamily> listener) {
        listeners.add(listener);
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
        // tombstones (null) delete old versions: nothing to show, nothing to refuse
        if (r.value() == null) {
            return;
        }
        Optional<ModelFamily> family = followed(r.key());
        if (family.isEmpty()) {
            return; // a model this console does not follow: not even decoded
        }
        SnapshotTrust.Verdict<WeightSnapshot> verdict = trust.snapshot(r.key(), r.value(), family.get().modelName());
        if (verdict instanceof SnapshotTrust.Trusted<WeightSnapshot> trusted) {
            add(trusted.value());
        } else if (verdict instanceof SnapshotTrust.Refused<WeightSnapshot> refused) {
            // the follower hands each record over once per process: one line per refused record
            LOG.warnf("refused snapshot at %s-%d@%d: %s (not shown; inference refuses it too)", r.topic(),
                    r.partition(), r.offset(), refused.reason());
            synchronized (this) {
                models.get(family.get()).rejected++;
            }
            publish(family.get());
        }
    }

    /** The followed family a record key names (versioned {@code model@v} keys and plain model-name keys). */
    private Optional<ModelFamily> followed(byte[] key) {
        if (key == null) {
            return Optional.empty();
        }
        String name = SnapshotKeys.parse(key).map(SnapshotKeys.Key::modelName)
                .orElseGet(() -> new String(key, StandardCharsets.UTF_8));
        return families.stream().filter(f -> f.modelName().equals(name)).findFirst();
    }

    /**
     * Adds a trusted snapshot (the topic reader's path, and tests') to its model; one of a model not followed
     * (its name is not one of {@link #families()}) is ignored.
     */
    public void add(WeightSnapshot s) {
        Optional<ModelFamily> family = families.stream().filter(f -> f.modelName().equals(s.modelName())).findFirst();
        if (family.isEmpty()) {
            return;
        }
        List<Consumer<ModelFamily>> notify;
        synchronized (this) {
            Model m = models.get(family.get());
            m.snapshots.put(s.version(), s);
            long bytes = m.snapshots.values().stream().mapToLong(SnapshotView::weightBytes).sum();
            // the newest stays even when alone over the budget: it is the one most likely served
            while (m.snapshots.size() > 1 && (m.snapshots.size() > Math.max(1, config.keepSnapshots())
                    || bytes > config.keepSnapshotBytes())) {
                bytes -= weightBytes(m.snapshots.pollFirstEntry().getValue());
            }
            if (!Double.isNaN(s.metrics().testAccuracy())) {
                m.points.tailMap(s.epoch(), true).clear();
                m.points.put(s.epoch(), new Point(s.epoch(), measured(s.metrics().trainLoss()),
                        measured(s.metrics().trainAccuracy()), measured(s.metrics().testAccuracy()), s.version(), "snapshot"));
            }
            notify = List.copyOf(listeners);
        }
        publish(family.get());
        notify.forEach(l -> l.accept(family.get()));
    }

    private static long weightBytes(WeightSnapshot s) {
        return 4L * s.network().architecture().parameterCount();
    }

    /**
     * Fills epochs the topic no longer has (compaction keeps only the latest snapshot) from the trainer's own
     * history; epochs the topic has are left as they are. The history is one run's: it is attributed to the
     * followed model only when there is one (with several, the trainer's runs alternate between them).
     */
    void fillFromTrainerHistory(List<TrainingStatus.HistoryEntry> history) {
        if (families.size() != 1) {
            return;
        }
        ModelFamily family = families.get(0);
        boolean changed = false;
        synchronized (this) {
            TreeMap<Integer, Point> points = models.get(family).points;
            int last = points.isEmpty() ? Integer.MAX_VALUE : points.lastKey();
            for (TrainingStatus.HistoryEntry h : history) {
                if (h.epoch() < 0 || points.containsKey(h.epoch()) || h.epoch() > last) {
                    continue; // a later epoch comes with its snapshot
                }
                points.put(h.epoch(), new Point(h.epoch(), measured(h.trainLoss()), measured(h.trainAccuracy()),
                        measured(h.testAccuracy()), h.modelVersion(), "trainer"));
                changed = true;
            }
        }
        if (changed) {
            publish(family);
        }
    }

    /** A held version of a followed model, with its weights. */
    public synchronized Optional<WeightSnapshot> version(ModelFamily family, long v) {
        Model m = models.get(family);
        return m == null ? Optional.empty() : Optional.ofNullable(m.snapshots.get(v));
    }

    public synchronized List<Point> points(ModelFamily family) {
        Model m = models.get(family);
        return m == null ? List.of() : List.copyOf(m.points.values());
    }

    private void publish(ModelFamily family) {
        List<Point> curve;
        List<Version> versions = new ArrayList<>();
        long dropped;
        synchronized (this) {
            Model m = models.get(family);
            curve = List.copyOf(m.points.values());
            for (WeightSnapshot s : m.snapshots.descendingMap().values()) {
                versions.add(new Version(s.version(), s.epoch(), s.step(), s.createdAt(), measured(s.metrics().trainLoss()),
                        measured(s.metrics().trainAccuracy()), measured(s.metrics().testAccuracy()), s.hyperparameters(),
                        s.lineage()));
            }
            dropped = m.rejected;
        }
        String name = family.modelName();
        hub.publish("curves." + name, Map.of("name", name, "points", curve));
        hub.publish("snapshots." + name, Map.of("name", name, "versions", versions, "refused", dropped));
    }

    private static Double measured(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
