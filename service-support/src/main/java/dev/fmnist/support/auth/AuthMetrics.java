package dev.fmnist.support.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** {@code fmnist.auth.attempts{outcome}}: every authentication decision on a protected endpoint. */
@ApplicationScoped
public class AuthMetrics {
    /** What happened to a request to a protected endpoint. */
    public enum Outcome {
        /** A configured token: its roles were granted. */
        VALID,
        /** A bearer token that is not configured: 401. */
        INVALID,
        /** No bearer credential on a protected endpoint: 401. */
        MISSING,
        /** A valid token without the needed role: 403. */
        FORBIDDEN
    }

    private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

    public AuthMetrics(MeterRegistry registry) {
        for (Outcome o : Outcome.values()) {
            counters.put(o, Counter.builder("fmnist.auth.attempts").tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .description("authentication decisions on protected endpoints, by outcome").register(registry));
        }
    }

    public void attempt(Outcome outcome) {
        counters.get(outcome).increment();
    }
}
