package dev.fmnist.cli;

import java.time.Duration;
import java.time.Instant;

/**
 * When a component that exited is started again, as Kubernetes' {@code restartPolicy: Always}: after the
 * n-th crash in a row, wait {@code initialBackoff * 2^(n-1)}, at most {@code maxBackoff}; a process that
 * stayed up {@code resetAfter} or longer starts the count over (Kubernetes: 10 s doubling to 5 min, reset
 * after 10 min; here 1 s doubling to 60 s, reset after 5 min, so a local run comes back quickly). From
 * {@code crashLoopAfter} crashes in a row on, the component is shown as crash-looping (Kubernetes'
 * CrashLoopBackOff); it is still restarted, at the capped backoff.
 */
public record RestartPolicy(Duration initialBackoff, Duration maxBackoff, Duration resetAfter, int crashLoopAfter) {
    public static final RestartPolicy DEFAULT = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60),
            Duration.ofMinutes(5), 10);

    public RestartPolicy {
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0 || resetAfter.isNegative()
                || crashLoopAfter < 1) {
            throw new IllegalArgumentException("restart policy: need 0 <= initial <= max, resetAfter >= 0, crashLoopAfter >= 1");
        }
    }

    /** Which crash in a row this is, given the previous count and how long the process had been up. */
    public int consecutive(int previous, Duration uptime) {
        return uptime.compareTo(resetAfter) >= 0 ? 1 : previous + 1;
    }

    /** The wait before starting the process again after its {@code consecutive}-th crash in a row (1-based). */
    public Duration backoff(int consecutive) {
        int doublings = Math.max(0, consecutive - 1);
        if (doublings >= 62 || initialBackoff.isZero()) {
            return initialBackoff.isZero() ? Duration.ZERO : maxBackoff;
        }
        long millis = initialBackoff.toMillis();
        long grown = millis << doublings;
        return (grown >>> doublings) != millis || grown > maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(grown);
    }

    public boolean crashLooping(int consecutive) {
        return consecutive >= crashLoopAfter;
    }

    /**
     * Whether a component shows as crash-looping now: enough crashes in a row, and not up again for
     * {@code resetAfter} since its last restart (which was due at {@code lastExit + backoff}).
     */
    public boolean crashLooping(Restarts.Entry last, boolean running, Instant now) {
        if (!crashLooping(last.consecutive())) {
            return false;
        }
        Instant restarted = last.at().plus(last.backoff());
        return !running || Duration.between(restarted, now).compareTo(resetAfter) < 0;
    }
}
