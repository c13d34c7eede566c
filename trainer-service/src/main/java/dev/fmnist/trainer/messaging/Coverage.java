package dev.fmnist.trainer.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which positions of a source split have been taken, as disjoint half-open ranges [from, to). A batch is
 * one range, so memory grows with the number of distinct batches, not with the positions they name (a
 * forged position near 2^24 costs one entry, not a 2 MB bit set).
 */
final class Coverage {
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private long covered;

    /**
     * Takes [from, to) and returns the parts of it that were not taken before, in order (empty when all
     * of it was).
     */
    List<long[]> add(long from, long to) {
        List<long[]> fresh = new ArrayList<>();
        long start = from;
        long end = to;
        Map.Entry<Long, Long> before = ranges.floorEntry(from);
        if (before != null && before.getValue() >= from) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        long cursor = from;
        // every range overlapping or touching [from, to] is merged into one
        for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() <= to;
             e = ranges.ceilingEntry(start)) {
            if (e.getKey() > cursor) {
                fresh.add(new long[]{cursor, Math.min(e.getKey(), to)});
            }
            cursor = Math.max(cursor, e.getValue());
            end = Math.max(end, e.getValue());
            covered -= e.getValue() - e.getKey();
            ranges.remove(e.getKey());
        }
        if (cursor < to) {
            fresh.add(new long[]{cursor, to});
        }
        ranges.put(start, end);
        covered += end - start;
        return fresh;
    }

    /** How many positions of [0, limit) are taken. */
    long coveredBelow(long limit) {
        long n = 0;
        for (Map.Entry<Long, Long> e : ranges.headMap(limit, false).entrySet()) {
            n += Math.min(e.getValue(), limit) - e.getKey();
        }
        return n;
    }

    /** Positions taken in all. */
    long covered() {
        return covered;
    }
}
