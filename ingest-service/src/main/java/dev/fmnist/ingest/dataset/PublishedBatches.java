package dev.fmnist.ingest.dataset;

import java.util.Map;
import java.util.Set;

/** Tells which planned batches the topics already hold, so a publication sends only the missing ones. */
@FunctionalInterface
public interface PublishedBatches {

    /** Knows of no published batch: for jobs that never skip. */
    PublishedBatches NONE = wanted -> Map.of();

    /**
     * @param wanted per topic, the batch ids (record keys) to look for
     * @return per topic, the subset of {@code wanted} found on it (a topic may be left out when none was found)
     * @throws DatasetException when the topics cannot be read in time
     */
    Map<String, Set<String>> find(Map<String, Set<String>> wanted);
}
