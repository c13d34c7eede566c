package dev.fmnist.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fmnist.api.OnlineAccuracy;
import dev.fmnist.contracts.Alert;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.support.SoftmaxFit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The online accuracy inference answers at /api/v1/model/accuracy (what the console shows). */
class InferenceMetricsTest {
    private final InferenceMetrics.ModelMeters metrics = new InferenceMetrics(new SimpleMeterRegistry()).model("fmnist-softmax");

    private static LoadedModel model(long version) {
        return LoadedModel.of(SoftmaxFit.snapshot("fmnist-softmax", version, SoftmaxFit.random(version, 0.05),
                Instant.EPOCH), Instant.EPOCH);
    }

    @Test
    void theLiveVersionsAccuracyAndEveryTrackedVersionsCountsOldestFirst() {
        for (boolean correct : new boolean[] {true, false}) {
            metrics.labelled(12, correct);
        }
        metrics.labelled(12, false);
        for (boolean correct : new boolean[] {true, true, true, false}) {
            metrics.labelled(3, correct);
        }
        metrics.swapped(model(3));
        OnlineAccuracy a = metrics.onlineAccuracy();
        assertEquals(0.75, a.accuracy());
        assertEquals(List.of(new OnlineAccuracy.Version(3, 3, 4, 0.75), new OnlineAccuracy.Version(12, 1, 3, 1 / 3.0)),
                a.versions());
    }

    @Test
    void noLabelledRequestIsNoAccuracy() {
        assertNull(metrics.onlineAccuracy().accuracy(), "no live model");
        metrics.labelled(3, true);
        metrics.swapped(model(5));
        OnlineAccuracy a = metrics.onlineAccuracy();
        assertNull(a.accuracy(), "the live v5 has no labelled request");
        assertEquals(List.of(new OnlineAccuracy.Version(3, 1, 1, 1.0)), a.versions());
    }

    @Test
    void everyAlertKindIsCountedFromZeroForAServedModelOnly() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InferenceMetrics all = new InferenceMetrics(registry);
        all.model("fmnist-cnn");
        all.model(InferenceMetrics.UNKNOWN_MODEL);
        for (Alert.Kind kind : Alert.Kind.values()) {
            assertEquals(0, registry.get(InferenceMetrics.ALERTS).tag("model", "fmnist-cnn").tag("kind", kind.wire())
                    .counter().count(), kind.wire() + " exists before any alert");
        }
        assertEquals(Alert.Kind.values().length, registry.find(InferenceMetrics.ALERTS).counters().size(),
                "no alert series for a model not served");
        all.alerted("fmnist-cnn", Alert.Kind.DRIFT);
        assertEquals(1, registry.get(InferenceMetrics.ALERTS).tag("model", "fmnist-cnn").tag("kind", "drift")
                .counter().count());
    }
}
