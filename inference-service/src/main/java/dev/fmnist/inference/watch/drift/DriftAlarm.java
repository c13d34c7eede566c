package dev.fmnist.inference.watch.drift;

import java.util.Map;

/** Where a started drift episode is reported: {@code AlertPublisher} in the service, a list in tests. */
@FunctionalInterface
interface DriftAlarm {
    void raise(String model, long liveVersion, String reason, Map<String, Double> figures);
}
