package dev.fmnist.console.live;

import dev.fmnist.contracts.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one rule saying which alerts are <em>active</em>, i.e. shown as a banner at the top of the page (the
 * alerts list shows them all):
 * <ul>
 * <li>{@code drift}: per model and source (a replica: each runs its own detector), the newest drift alert is
 * active until a clearing of that model and source ({@link Alert#clearsDrift()}: inference raises one when the
 * episode is over) is newer. A replica raises one drift alert when an episode starts and none while it lasts,
 * so the banner must not lapse on its own while drift lasts: it stays as long as the episode, however long.
 * {@code drift} only bounds it for a source that will never clear it (a replica stopped mid-episode).</li>
 * <li>{@code refused} and {@code rolled-back}: active for {@code decision} after their time; several of a model
 * and kind within the window are one banner (the newest, with how many).</li>
 * <li>{@code promoted}: never (a promotion is the normal path, listed only).</li>
 * </ul>
 * Times are the alerts' own (the raising replica's clock).
 *
 * @param drift    the longest a drift alert stays active without its clearing
 * @param decision how long a refusal or rollback stays active
 */
public record ActiveAlerts(Duration drift, Duration decision) {
    /** An active alert: the newest of its group, until when it stays active, how many of its group are active. */
    public record Active(Alert alert, Instant until, int count) {
    }

    public ActiveAlerts {
        Objects.requireNonNull(drift, "drift");
        Objects.requireNonNull(decision, "decision");
    }

    /** The active alerts among {@code alerts} (oldest first, as read from the topic) at {@code now}, newest first. */
    public List<Active> of(Iterable<Alert> alerts, Instant now) {
        Map<String, Alert> newestDrift = new LinkedHashMap<>();
        Map<String, Active> decisions = new LinkedHashMap<>();
        for (Alert a : alerts) {
            switch (a.kind()) {
                case DRIFT -> newestDrift.merge(a.model() + "\u0000" + a.source(), a,
                        (before, after) -> after.time().isBefore(before.time()) ? before : after);
                case REFUSED, ROLLED_BACK -> {
                    Instant until = a.time().plus(decision);
                    if (until.isAfter(now)) {
                        decisions.merge(a.model() + "\u0000" + a.kind(), new Active(a, until, 1), (before, after) ->
                                after.alert().time().isBefore(before.alert().time())
                                        ? new Active(before.alert(), before.until(), before.count() + 1)
                                        : new Active(after.alert(), after.until(), before.count() + 1));
                    }
                }
                case PROMOTED -> {
                    // the normal path: listed, never a banner
                }
            }
        }
        List<Active> out = new ArrayList<>(decisions.values());
        for (Alert a : newestDrift.values()) {
            Instant until = a.time().plus(drift);
            if (!a.clearsDrift() && until.isAfter(now)) {
                out.add(new Active(a, until, 1));
            }
        }
        out.sort(Comparator.comparing((Active x) -> x.alert().time()).reversed());
        return out;
    }

    /**
     * The next moment after {@code now} at which {@link #of} may answer differently without a new alert (an alert's
     * window ends: a banner goes, or a group's count drops), or null when none is ahead.
     */
    public Instant nextChange(Iterable<Alert> alerts, Instant now) {
        Instant next = null;
        for (Alert a : alerts) {
            Instant end = switch (a.kind()) {
                case DRIFT -> a.clearsDrift() ? null : a.time().plus(drift);
                case REFUSED, ROLLED_BACK -> a.time().plus(decision);
                case PROMOTED -> null;
            };
            if (end != null && end.isAfter(now) && (next == null || end.isBefore(next))) {
                next = end;
            }
        }
        return next;
    }
}
