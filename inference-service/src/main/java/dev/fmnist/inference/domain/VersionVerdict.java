package dev.fmnist.inference.domain;

import dev.fmnist.contracts.ModelVerdict;
import java.time.Instant;

/** The verdict in force on one version (the latest read from fmnist.model-control for its key). */
public record VersionVerdict(ModelVerdict.Verdict verdict, String reason, Instant decidedAt) {
    public static VersionVerdict of(ModelVerdict v) {
        return new VersionVerdict(v.verdict(), v.reason(), v.decidedAt());
    }
}
