package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
import dev.fmnist.support.snapshots.SnapshotTrust;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What fmnist.alerts says (promotions, refusals, rollbacks, drift; {@link AlertCodec}): the newest
 * {@code keep-alerts} alerts, newest first, and those {@link ActiveAlerts} holds active, for the banner
 * (event {@code alerts}). Only alerts signed with inference's model-control key are shown
 * ({@link SnapshotTrust#alert}, the public keys in {@code fmnist.model-control.public-keys}): a record refused
 * (malformed, oversized, unsigned, forged, or no key configured) is never shown, is counted in the view
 * ({@code undecodable}) and in {@value #REFUSED}{reason}, and is logged at WARN the first time for each reason
 * (then at DEBUG: a producer flooding the topic with forgeries cannot flood the log).
 *
 * <p>The newest drift alert of each model and replica is held apart from the list (at most
 * {@value #MAX_DRIFT_SOURCES}), so a drift episode keeps its banner until its clearing however many alerts
 * arrive meanwhile. The page changes when an alert arrives and when an active one stops being active (a timer
 * set for the earliest such moment), so nothing polls.
 */
@ApplicationScoped
public class AlertView {
    public static final String EVENT = "alerts";
    /** Alerts refused, by {@code reason} ({@link AlertCodec.Refusal#tag()}). */
    public static final String REFUSED = "fmnist.console.alerts.refused";
    /** Most models x replicas whose newest drift alert is held; past it, the one with the oldest alert goes. */
    static final int MAX_DRIFT_SOURCES = 256;
    private static final Logger LOG = Logger.getLogger(AlertView.class);

    private final int keep;
    private final ActiveAlerts rule;
    private final EventHub hub;
    private final Clock clock;
    /** Oldest first, at most {@link #keep}. */
    private final Deque<Alert> alerts = new ArrayDeque<>();
    /** The newest drift alert (start or clearing) per model and source, at most {@link #MAX_DRIFT_SOURCES}. */
    private final Map<String, Alert> drifts = new LinkedHashMap<>();
    private final SnapshotTrust trust;
    private final Map<AlertCodec.Refusal, Counter> refused = new EnumMap<>(AlertCodec.Refusal.class);
    /** The reasons already logged at WARN. */
    private final Set<AlertCodec.Refusal> logged = EnumSet.noneOf(AlertCodec.Refusal.class);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-alert-expiry");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> expiry;
    private Instant expiryAt;
    private long received;
    private long undecodable;

    @Inject
    public AlertView(ConsoleConfig config, EventHub hub, SnapshotTrust trust, MeterRegistry registry) {
        this(config.keepAlerts(), new ActiveAlerts(config.driftAlertActive(), config.decisionAlertActive()), hub,
                Clock.systemUTC(), trust, registry);
    }

    AlertView(int keep, ActiveAlerts rule, EventHub hub, Clock clock, SnapshotTrust trust, MeterRegistry registry) {
        this.keep = Math.max(1, keep);
        this.rule = rule;
        this.hub = hub;
        this.clock = clock;
        this.trust = trust;
        for (AlertCodec.Refusal reason : AlertCodec.Refusal.values()) {
            refused.put(reason, Counter.builder(REFUSED).tag("reason", reason.tag())
                    .description("Records of fmnist.alerts refused and never shown, by reason (malformed, oversized,"
                            + " unsigned, forged, no-key)")
                    .register(registry));
        }
        publish();
    }

    void stop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
        Alert a;
        try {
            a = trust.alert(r.value());
        } catch (AlertCodec.RefusedAlertException e) {
            refuse(r, e);
            return;
        }
        add(a);
    }

    private void refuse(ConsumerRecord<byte[], byte[]> r, AlertCodec.RefusedAlertException e) {
        refused.get(e.refusal()).increment();
        boolean first;
        synchronized (this) {
            received++;
            undecodable++;
            first = logged.add(e.refusal());
        }
        if (first) {
            LOG.warnf("alert at %s-%d@%d refused, not shown (%s): %s; further %s alerts are counted in %s only",
                    r.topic(), r.partition(), r.offset(), e.refusal().tag(), e.getMessage(), e.refusal().tag(),
                    REFUSED);
        } else {
            LOG.debugf("alert at %s-%d@%d refused (%s): %s", r.topic(), r.partition(), r.offset(), e.refusal().tag(),
                    e.getMessage());
        }
        publish();
    }

    /** Adds an alert already verified (the topic reader's path, and tests'). */
    public void add(Alert a) {
        synchronized (this) {
            received++;
            alerts.addLast(a);
            while (alerts.size() > keep) {
                alerts.removeFirst();
            }
            if (a.kind() == Alert.Kind.DRIFT) {
                drifts.merge(a.model() + "\u0000" + a.source(), a,
                        (before, after) -> after.time().isBefore(before.time()) ? before : after);
                while (drifts.size() > MAX_DRIFT_SOURCES) {
                    drifts.values().remove(oldest(drifts.values()));
                }
            }
        }
        publish();
    }

    private static Alert oldest(Iterable<Alert> among) {
        Iterator<Alert> it = among.iterator();
        Alert oldest = it.next();
        while (it.hasNext()) {
            Alert a = it.next();
            if (a.time().isBefore(oldest.time())) {
                oldest = a;
            }
        }
        return oldest;
    }

    /** Publishes the current view: the list, the active ones at this moment, the counts. */
    void publish() {
        Instant now = clock.instant();
        List<Alert> held;
        List<Alert> ruled;
        long n;
        long bad;
        synchronized (this) {
            held = List.copyOf(alerts);
            // the held drift alerts first: the rule keeps the newest per model and source, whichever list has it
            ruled = new ArrayList<>(drifts.values());
            ruled.addAll(held);
            n = received;
            bad = undecodable;
        }
        List<ActiveAlerts.Active> active = rule.of(ruled, now);
        List<Map<String, Object>> list = new ArrayList<>(held.size());
        for (int i = held.size() - 1; i >= 0; i--) {
            list.add(shown(held.get(i)));
        }
        List<Map<String, Object>> banner = new ArrayList<>(active.size());
        for (ActiveAlerts.Active x : active) {
            Map<String, Object> m = shown(x.alert());
            m.put("until", x.until().toString());
            m.put("count", x.count());
            banner.add(m);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("active", banner);
        view.put("alerts", list);
        view.put("received", n);
        view.put("undecodable", bad);
        view.put("keep", keep);
        view.put("driftActiveSeconds", rule.drift().toSeconds());
        view.put("decisionActiveSeconds", rule.decision().toSeconds());
        hub.publish(EVENT, view);
        schedule(rule.nextChange(ruled, now), now);
    }

    /** Publishes again when the earliest active alert expires (one timer, moved when an earlier moment comes). */
    private synchronized void schedule(Instant at, Instant now) {
        if (at == null || timer.isShutdown() || (expiry != null && !expiry.isDone() && !at.isBefore(expiryAt))) {
            return;
        }
        if (expiry != null) {
            expiry.cancel(false);
        }
        expiryAt = at;
        // a millisecond past the end, so the rule (until is exclusive) sees it expired
        long delay = Math.max(0, Duration.between(now, at).toMillis()) + 1;
        expiry = timer.schedule(this::expired, delay, TimeUnit.MILLISECONDS);
    }

    private void expired() {
        synchronized (this) {
            expiry = null; // this run may set the next one
        }
        publish();
    }

    /** The wire form of an alert as the page reads it (the topic's JSON field names, kind in its wire spelling). */
    private static Map<String, Object> shown(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.kind().wire());
        m.put("model", a.model());
        m.put("versions", a.versions());
        m.put("reason", a.reason());
        m.put("figures", a.figures());
        m.put("source", a.source());
        m.put("time", a.time().toString());
        return m;
    }
}
