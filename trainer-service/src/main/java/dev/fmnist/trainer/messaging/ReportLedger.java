package dev.fmnist.trainer.messaging;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The "each bad record is dead-lettered once" rule, apart from the producer: a record (by its
 * source coordinates) is claimed before it is sent, so replays of the same record send nothing;
 * a failed send releases the claim so the next replay tries again; what an earlier process sent
 * is remembered from the dead-letter topic. Thread-safe: send callbacks release from the
 * producer's thread.
 */
final class ReportLedger {
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** True the first time a key is claimed (send it), false while it is reported or in flight. */
    boolean claim(String key) {
        return reported.add(key);
    }

    /** The send failed: the next replay may claim the key again. */
    void release(String key) {
        reported.remove(key);
    }

    /** A dead letter found on the topic (sent by an earlier process): never send it again. */
    void remember(String key) {
        reported.add(key);
    }
}
