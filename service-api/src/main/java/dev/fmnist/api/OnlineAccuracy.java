package dev.fmnist.api;

import java.util.List;

/**
 * What inference's {@code GET /api/v1/model/accuracy} answers: the online accuracy of the live version on
 * requests that carried their true label (null until one did), and the counts per tracked version,
 * oldest first.
 */
public record OnlineAccuracy(Double accuracy, List<Version> versions) {
    /** One version's labelled requests and how many it classified correctly; accuracy null while none. */
    public record Version(long version, long correct, long labelled, Double accuracy) {
    }
}
