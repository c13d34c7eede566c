package dev.fmnist.trainer.messaging;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * Another trainer of the same model took over its {@code transactional.id}: this one must stop
 * without retrying, or two writers would publish the same versions.
 */
public final class FencedException extends RuntimeException {
    public FencedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The fencing in a failure, if there is one: the failure itself, one of its causes, or one suppressed by
     * any of them (a fencing from the trainer's finisher thread arrives suppressed when the training thread
     * failed too, on an outage say). A fencing anywhere decides: the run stops and is never retried.
     */
    public static Optional<FencedException> in(Throwable failure) {
        return find(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static Optional<FencedException> find(Throwable t, Set<Throwable> seen) {
        for (; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof FencedException f) {
                return Optional.of(f);
            }
            for (Throwable s : t.getSuppressed()) {
                Optional<FencedException> f = find(s, seen);
                if (f.isPresent()) {
                    return f;
                }
            }
        }
        return Optional.empty();
    }
}
