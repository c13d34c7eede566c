package dev.fmnist.inference.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CountDownLatch;

/**
 * Whether the snapshot consumer has read fmnist.snapshots to the end it had when this replica started. The promoter
 * decides nothing before (a bean of its own: the consumer already depends on the promoter).
 */
@ApplicationScoped
public class SnapshotCatchUp {
    private final CountDownLatch read = new CountDownLatch(1);

    /** The snapshots there were at startup have all been read. */
    void reached() {
        read.countDown();
    }

    public boolean done() {
        return read.getCount() == 0;
    }
}
