package dev.fmnist.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SampleStoreTest {
    private static final int SIZE = 784;

    private static byte[] image(int i) {
        byte[] px = new byte[SIZE];
        for (int p = 0; p < SIZE; p++) {
            px[p] = (byte) (i * 31 + p);
        }
        return px;
    }

    @Test
    void imagesAcrossChunkBoundariesKeepTheirPixelsAndLabels() {
        int n = 2 * SampleStore.CHUNK_IMAGES + 37;
        SampleStore store = new SampleStore(SIZE, 10);
        for (int i = 0; i < n; i++) {
            store.add(image(i), 0, i % 10);
        }
        assertEquals(n, store.count());
        for (int i : new int[]{0, SampleStore.CHUNK_IMAGES - 1, SampleStore.CHUNK_IMAGES, n - 1}) {
            ByteBuffer px = ByteBuffer.allocate(SIZE);
            store.copyPixels(i, px);
            assertArrayEquals(image(i), px.array(), "image " + i);
            assertEquals(i % 10, store.label(i));
        }
        ByteBuffer all = ByteBuffer.allocate(n * SIZE);
        store.copyAllPixels(all);
        byte[] last = new byte[SIZE];
        all.position((n - 1) * SIZE);
        all.get(last);
        assertArrayEquals(image(n - 1), last, "copyAllPixels keeps topic order across chunks");
        byte[] labels = store.labels();
        assertEquals(n, labels.length);
        assertEquals((n - 1) % 10, labels[n - 1]);
    }

    @Test
    void growingAddsOneChunkAndNeverCopiesWhatIsHeld() {
        SampleStore store = new SampleStore(SIZE, 60_000);
        long full = store.capacityBytes();
        assertEquals(59, full / (SampleStore.CHUNK_IMAGES * (SIZE + 1L)),
                "60,000 images take ceil(60000/1024) = 59 chunks");
        int held = 59 * SampleStore.CHUNK_IMAGES;
        for (int i = 0; i < held + 5; i++) {
            store.add(image(i), 0, 1);
        }
        assertEquals(full + SampleStore.CHUNK_IMAGES * (SIZE + 1L), store.capacityBytes(),
                "five images past what is held add one 784 KB chunk, not a 1.5x copy of 47 MB");
    }

    @Test
    void clearKeepsTheChunksForTheNextReplay() {
        SampleStore store = new SampleStore(SIZE, 3);
        store.add(image(1), 0, 2);
        long capacity = store.capacityBytes();
        store.clear();
        assertEquals(0, store.count());
        store.add(image(2), 0, 3);
        assertEquals(capacity, store.capacityBytes());
        assertEquals(3, store.label(0));
        assertThrows(IllegalArgumentException.class, () -> new SampleStore(0, 1));
    }

    @Test
    void anImagePastTheBoundIsRefusedWithAReasonInsteadOfExhaustingTheHeap() {
        long twoChunks = 2L * SampleStore.CHUNK_IMAGES * (SIZE + 1);
        SampleStore store = new SampleStore(SIZE, 1, twoChunks);
        for (int i = 0; i < 2 * SampleStore.CHUNK_IMAGES; i++) {
            store.add(image(i), 0, 4);
        }
        SampleStore.StoreFullException full = assertThrows(SampleStore.StoreFullException.class,
                () -> store.add(image(0), 0, 4));
        assertEquals(2 * SampleStore.CHUNK_IMAGES, store.count(), "what was held is kept");
        assertTrue(full.getMessage().contains("-Xmx"), full.getMessage());
        assertEquals(twoChunks, store.capacityBytes());
    }
}
