package dev.fmnist.console.live;

import dev.fmnist.console.config.ConsoleConfig;
import dev.fmnist.contracts.Alert;
import dev.fmnist.contracts.AlertCodec;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What fmnist.alerts says (promotions, refusals, rollbacks, drift; {@link AlertCodec}): the newest
 * {@code keep-alerts} alerts, newest first, and those {@link ActiveAlerts} holds active, for the banner
 * (event {@code alerts}). A record the codec refuses is skipped and counted ({@code undecodable}), never shown.
 * The page changes when an alert arrives and when an active one stops being active (a timer set for the
 * earliest such moment), so nothing polls.
 */
@ApplicationScoped
public class AlertView {
    public static final String EVENT = "alerts";
    private static final Logger LOG = Logger.getLogger(AlertView.class);

    private final int keep;
    private final ActiveAlerts rule;
    private final EventHub hub;
    private final Clock clock;
    /** Oldest first, at most {@link #keep}. */
    private final Deque<Alert> alerts = new ArrayDeque<>();
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
    public AlertView(ConsoleConfig config, EventHub hub) {
        this(config.keepAlerts(), new ActiveAlerts(config.driftAlertActive(), config.decisionAlertActive()), hub,
                Clock.systemUTC());
    }

    AlertView(int keep, ActiveAlerts rule, EventHub hub, Clock clock) {
        this.keep = Math.max(1, keep);
        this.rule = rule;
        this.hub = hub;
        this.clock = clock;
        publish();
    }

    void stop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }

    void accept(ConsumerRecord<byte[], byte[]> r) {
        Alert a;
        try {
            a = AlertCodec.decode(r.value());
        } catch (RuntimeException e) {
            LOG.debugf("undecodable alert at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            synchronized (this) {
                received++;
                undecodable++;
            }
            publish();
            return;
        }
        add(a);
    }

    /** Adds a decoded alert (the topic reader's path, and tests'). */
    public void add(Alert a) {
        synchronized (this) {
            received++;
            alerts.addLast(a);
            while (alerts.size() > keep) {
                alerts.removeFirst();
            }
        }
        publish();
    }

    /** Publishes the current view: the list, the active ones at this moment, the counts. */
    void publish() {
        Instant now = clock.instant();
        List<Alert> held;
        long n;
        long bad;
        synchronized (this) {
            held = List.copyOf(alerts);
            n = received;
            bad = undecodable;
        }
        List<ActiveAlerts.Active> active = rule.of(held, now);
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
        schedule(rule.nextChange(held, now), now);
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
