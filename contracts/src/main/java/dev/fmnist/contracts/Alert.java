package dev.fmnist.contracts;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Something an operator must know about a served model, on {@link Topics#ALERTS} (keyed by model name):
 * a candidate promoted or refused, a live version rolled back, drift in the request stream. One codec:
 * {@link AlertCodec}. Alerts are reports, not decisions: the decisions themselves are the signed records
 * on {@link Topics#MODEL_CONTROL}.
 *
 * @param kind     what happened
 * @param model    the model name ({@code fmnist-cnn})
 * @param versions the versions involved, by role; keys by kind: {@code promoted}: {@code candidate} and
 *                 {@code previous} (absent for a first model); {@code refused}: {@code candidate} and
 *                 {@code live} (absent when there is none); {@code rolled-back}: {@code from} and {@code to};
 *                 {@code drift}: {@code live}
 * @param reason   one sentence a person can act on
 * @param figures  the numbers behind it (for example {@code testAccuracy}, {@code psi.meanIntensity}),
 *                 finite values only; a {@code drift} alert with {@value #CLEARED} = 1 ends the drift episode
 *                 its source reported for the model
 * @param source   who raised it (a replica's name, {@code trainer})
 * @param time     when
 */
public record Alert(Kind kind, String model, Map<String, Long> versions, String reason, Map<String, Double> figures,
                    String source, Instant time) {
    /**
     * The figure of a {@code drift} alert (value 1) saying the episode its source reported has ended: a drift
     * alert without it starts an episode, one with it ends it.
     */
    public static final String CLEARED = "cleared";
    /** Longest reason kept; longer ones are cut (an alert is read by people, not parsed). */
    public static final int MAX_REASON = 1000;
    /** Most versions or figures one alert carries. */
    public static final int MAX_ENTRIES = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public enum Kind {
        PROMOTED, REFUSED, ROLLED_BACK, DRIFT;

        /** The wire name: {@code promoted}, {@code refused}, {@code rolled-back}, {@code drift}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @throws IllegalArgumentException naming the kinds there are */
        public static Kind ofWire(String wire) {
            for (Kind k : values()) {
                if (k.wire().equals(wire)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown alert kind '" + wire
                    + "': expected promoted, refused, rolled-back or drift");
        }
    }

    /** Whether this is a drift alert ending an episode ({@value #CLEARED} = 1). */
    public boolean clearsDrift() {
        Double c = figures.get(CLEARED);
        return kind == Kind.DRIFT && c != null && c >= 1;
    }

    public Alert {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(time, "time");
        if (!NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("model name must match " + NAME.pattern());
        }
        if (!NAME.matcher(source).matches()) {
            throw new IllegalArgumentException("source must match " + NAME.pattern());
        }
        if (reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON - 1) + "\u2026";
        }
        versions = checked(versions, "versions", v -> v >= 0);
        figures = checked(figures, "figures", Double::isFinite);
    }

    private static <V> Map<String, V> checked(Map<String, V> in, String what, java.util.function.Predicate<V> valid) {
        if (in == null) {
            return Map.of();
        }
        if (in.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(what + ": " + in.size() + " entries, at most " + MAX_ENTRIES);
        }
        Map<String, V> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (k == null || !KEY.matcher(k).matches() || v == null || !valid.test(v)) {
                throw new IllegalArgumentException(what + ": entry '" + k + "' = " + v + " is not valid");
            }
            out.put(k, v);
        });
        return Collections.unmodifiableMap(out);
    }
}
