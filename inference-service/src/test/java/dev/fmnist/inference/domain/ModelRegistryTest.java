package dev.fmnist.inference.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
        registry.follow(1L);
        assertEquals(1, registry.live().version());
        for (long i = 3; i <= 6; i++) {
            assertEquals(ModelRegistry.Offer.RETAINED_WHILE_PINNED, registry.offer(v(i)));
        }
        assertEquals(1, registry.live().version());
        assertEquals(List.of(1L, 4L, 5L, 6L), retained());
        assertFalse(registry.state().pinPending());
        registry.follow(null);
        assertEquals(6, registry.live().version());
        assertEquals(List.of(4L, 5L, 6L), retained());
        assertEquals(List.of(1L, 2L, 1L, 6L), swaps);
    }

    @Test
    void aPinReadBeforeItsSnapshotTakesEffectWhenTheSnapshotArrives() {
        // a restarted replica: the control topic says "v2" before any snapshot is read
        registry.follow(2L);
        assertTrue(registry.state().pinPending());
        assertNull(registry.live());
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(1))); // something serves meanwhile
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(2)));
        for (long i = 3; i <= 7; i++) {
            assertEquals(ModelRegistry.Offer.RETAINED_WHILE_PINNED, registry.offer(v(i)));
        }
        assertEquals(2, registry.live().version());
        assertFalse(registry.state().pinPending());
        assertEquals(List.of(2L, 5L, 6L, 7L), retained());
    }

    @Test
    void aPinOfAVersionNotRetainedKeepsTheLiveModelAndSaysItIsPending() {
        registry.offer(v(5));
        registry.follow(3L);
        assertEquals(5, registry.live().version());
        assertTrue(registry.state().pinPending());
        assertEquals(ModelRegistry.Offer.SWAPPED, registry.offer(v(6)));
        registry.follow(null);
        assertFalse(registry.state().pinPending());
        assertEquals(6, registry.live().version());
    }

    @Test
    void rollbackTargetIsTheNewestRetainedVersionBeforeTheLiveOne() {
        registry.offer(v(1));
        registry.offer(v(2));
        registry.offer(v(3));
        assertEquals(2, registry.rollbackTarget());
        registry.follow(2L);
        assertEquals(1, registry.rollbackTarget());
        registry.follow(1L);
        assertThrows(IllegalStateException.class, registry::rollbackTarget);
        assertThrows(IllegalArgumentException.class, () -> registry.requireRetained(42));
        registry.requireRetained(3);
        registry.offer(v(4));
        assertEquals(1, registry.live().version());
        assertEquals(4, registry.follow(null).live().version());
    }

    @Test
    void rollbackWithoutModelFails() {
        assertThrows(IllegalStateException.class, registry::rollbackTarget);
        assertThrows(IllegalArgumentException.class, () -> new ModelRegistry(0, m -> { }));
    }
}
