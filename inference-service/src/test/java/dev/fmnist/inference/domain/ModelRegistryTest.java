package dev.fmnist.inference.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fmnist.inference.support.SoftmaxFit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {
    private final List<Long> swaps = new ArrayList<>();
    private final ModelRegistry registry = new ModelRegistry(3, m -> swaps.add(m.version()));

    private static LoadedModel v(long version) {
        return LoadedModel.of(SoftmaxFit.snapshot("m", version, SoftmaxFit.random(version, 0.01), Instant.EPOCH),
                Instant.EPOCH);
    }

    private List<Long> retained() {
        return registry.state().retained().stream().map(LoadedModel::version).toList();
    }

    @Test
    void newerVersionsGoLiveOlderOrEqualOnesAreIgnored() throws InterruptedException {
        assertNull(registry.live());
        assertNull(registry.awaitLive(Duration.ofMillis(10)));
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(2)));
        assertEquals(ModelRegistry.Offer.IGNORED_NOT_NEWER, registry.offer(v(2)));
        assertEquals(ModelRegistry.Offer.IGNORED_NOT_NEWER, registry.offer(v(1)));
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(5)));
        assertEquals(5, registry.awaitLive(Duration.ofMillis(10)).version());
        assertEquals(List.of(2L, 5L), swaps);
    }

    @Test
    void keepsTheNewestKVersions() {
        for (long i = 1; i <= 6; i++) {
            registry.offer(v(i));
        }
        assertEquals(List.of(4L, 5L, 6L), retained());
    }

    @Test
    void pinHoldsAVersionAgainstNewerSnapshotsAndSurvivesEviction() {
        registry.offer(v(1));
        registry.offer(v(2));
        registry.pin(1);
        assertEquals(1, registry.live().version());
        for (long i = 3; i <= 6; i++) {
            assertEquals(ModelRegistry.Offer.RETAINED_WHILE_PINNED, registry.offer(v(i)));
        }
        assertEquals(1, registry.live().version());
        assertEquals(List.of(1L, 4L, 5L, 6L), retained());
        registry.unpin();
        assertEquals(6, registry.live().version());
        assertEquals(List.of(4L, 5L, 6L), retained());
        assertEquals(List.of(1L, 2L, 1L, 6L), swaps);
    }

    @Test
    void rollbackPinsThePreviousVersion() {
        registry.offer(v(1));
        registry.offer(v(2));
        registry.offer(v(3));
        assertEquals(2, registry.rollback().live().version());
        assertEquals(1, registry.rollback().live().version());
        assertEquals(1L, registry.state().pinned());
        assertThrows(IllegalStateException.class, registry::rollback);
        assertThrows(IllegalArgumentException.class, () -> registry.pin(42));
        registry.offer(v(4));
        assertEquals(1, registry.live().version());
        assertEquals(4, registry.unpin().live().version());
    }

    @Test
    void rollbackWithoutModelFails() {
        assertThrows(IllegalStateException.class, registry::rollback);
        assertThrows(IllegalArgumentException.class, () -> new ModelRegistry(0, m -> { }));
    }
}
