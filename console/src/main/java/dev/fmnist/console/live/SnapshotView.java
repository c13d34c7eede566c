package dev.fmnist.console.live;

import dev.fmnist.api.TrainingStatus;
import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.WeightSnapshot;
import dev.fmnist.support.snapshots.SnapshotTrust;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What fmnist.snapshots says: the per-epoch curves (train loss, train accuracy, test accuracy, one
 * point per finished epoch, as d2l draws them) and the recent versions with their weights, which
 * the quality panel scores. A snapshot with a measured test accuracy closes an epoch; one whose
 * epoch is not after the last point starts a new series from there (a run from scratch). Only
 * snapshots {@link SnapshotTrust} trusts are shown (read committed, Ed25519 signature verified with
 * {@code fmnist.snapshots.public-keys}: the rule inference serves by); a refused one is logged at WARN
 * with the reason and counted ({@code refused} of the {@code snapshots} event), nothing else.
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

    private static final Logger LOG = Logger.getLogger(SnapshotView.class);
    private final ConsoleConfig config;
    private final SnapshotTrust trust;
    private final EventHub hub;
    private final TreeMap<Integer, Point> points = new TreeMap<>();
    private final TreeMap<Long, WeightSnapshot> snapshots = new TreeMap<>();
    private final List<Runnable> listeners = new ArrayList<>();
    private long rejected;

    public SnapshotView(ConsoleConfig config, SnapshotTrust trust, EventHub hub) {
        this.config = config;
        this.trust = trust;
        this.hub = hub;
        publish();
    }

    /** Called when a new version arrives (the quality panel may have to score it). */
    public synchronized void onNewVersion(Runnable listener) {
        listeners.add(listener);
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
        // tombstones (null) delete old versions: nothing to show, nothing to refuse
        if (r.value() == null) {
            return;
        }
        SnapshotTrust.Verdict<WeightSnapshot> verdict = trust.snapshot(r.key(), r.value(), config.modelName());
        if (verdict instanceof SnapshotTrust.Trusted<WeightSnapshot> trusted) {
            add(trusted.value());
        } else if (verdict instanceof SnapshotTrust.Refused<WeightSnapshot> refused) {
            // the follower hands each record over once per process: one line per refused record
            LOG.warnf("refused snapshot at %s-%d@%d: %s (not shown; inference refuses it too)", r.topic(),
                    r.partition(), r.offset(), refused.reason());
            synchronized (this) {
                rejected++;
            }
            publish();
        }
    }

    /** Adds a trusted snapshot (the topic reader's path, and tests'). */
    public void add(WeightSnapshot s) {
        List<Runnable> notify;
        synchronized (this) {
            snapshots.put(s.version(), s);
            while (snapshots.size() > Math.max(1, config.keepSnapshots())) {
                snapshots.pollFirstEntry();
            }
            if (!Double.isNaN(s.metrics().testAccuracy())) {
                points.tailMap(s.epoch(), true).clear();
                points.put(s.epoch(), new Point(s.epoch(), measured(s.metrics().trainLoss()),
                        measured(s.metrics().trainAccuracy()), measured(s.metrics().testAccuracy()), s.version(), "snapshot"));
            }
            notify = List.copyOf(listeners);
        }
        publish();
        notify.forEach(Runnable::run);
    }

    /**
     * Fills epochs the topic no longer has (compaction keeps only the latest snapshot) from the
     * trainer's own history; epochs the topic has are left as they are.
     */
    void fillFromTrainerHistory(List<TrainingStatus.HistoryEntry> history) {
        boolean changed = false;
        synchronized (this) {
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
            publish();
        }
    }

    public synchronized Optional<WeightSnapshot> version(long v) {
        return Optional.ofNullable(snapshots.get(v));
    }

    public synchronized List<Point> points() {
        return List.copyOf(points.values());
    }

    private void publish() {
        List<Point> curve;
        List<Version> versions = new ArrayList<>();
        long dropped;
        synchronized (this) {
            curve = List.copyOf(points.values());
            for (WeightSnapshot s : snapshots.descendingMap().values()) {
                versions.add(new Version(s.version(), s.epoch(), s.step(), s.createdAt(), measured(s.metrics().trainLoss()),
                        measured(s.metrics().trainAccuracy()), measured(s.metrics().testAccuracy()), s.hyperparameters(),
                        s.lineage()));
            }
            dropped = rejected;
        }
        hub.publish("curves", Map.of("points", curve));
        hub.publish("snapshots", Map.of("versions", versions, "refused", dropped));
    }

    private static Double measured(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
