package dev.fmnist.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * When a committed snapshot may serve, under {@code fmnist.inference.promotion.*}: the policy, the offline
 * gates, shadow scoring and automatic rollback. The same on every replica (the decisions themselves are
 * records on fmnist.model-control, so replicas that disagree on config still serve the same versions).
 */
@ConfigMapping(prefix = "fmnist.inference.promotion")
public interface PromotionConfig {
    /** What a snapshot does to the serving state. */
    enum Policy {
        /** A snapshot is a candidate; it serves once promoted (offline gates, then the shadow gate). */
        GATED,
        /** A snapshot serves at once (the behaviour before promotion existed); rollback still applies. */
        LATEST
    }

    /** {@code gated} (default) or {@code latest}; per model in {@link #models()}. */
    @WithDefault("gated")
    Policy policy();

    /** How much lower than the live version's test accuracy a candidate's may be (offline and shadow gates). */
    @WithDefault("0.005")
    double tolerance();

    /**
     * The least test accuracy a candidate needs, also the only rule for a model's first version (there is
     * nothing live to compare with). 0.5: far above chance (0.1 on ten balanced classes) and far below any
     * trained model of this repo (softmax reaches 0.75 after one epoch), so it only refuses broken runs.
     */
    @WithDefault("0.5")
    double floor();

    /** Overrides per model name, e.g. {@code fmnist.inference.promotion.models."fmnist-cnn".policy=latest}. */
    Map<String, ModelOverride> models();

    Shadow shadow();

    Rollback rollback();

    /** Per-model overrides of the policy and the offline gates. */
    interface ModelOverride {
        Optional<Policy> policy();

        OptionalDouble tolerance();

        OptionalDouble floor();
    }

    /** Shadow scoring of a candidate (and of the baseline, for rollback) on live requests. */
    interface Shadow {
        /**
         * Paired labelled requests (scored by the candidate and answered by the live version) after which the
         * shadow gate decides: promote when the candidate's accuracy on them is at least the live version's
         * minus {@code tolerance}, else refuse.
         */
        @WithName("min-labelled")
        @WithDefault("500")
        int minLabelled();

        /**
         * How long a candidate that passed the offline gates waits for {@code min-labelled} paired labelled
         * requests; then the offline gates alone decide (it is promoted).
         */
        @WithName("max-wait")
        @WithDefault("PT2M")
        Duration maxWait();

        /** Images waiting to be shadow-scored; a request finding it full is not shadowed (counted as dropped). */
        @WithDefault("4096")
        int queue();

        /**
         * One in this many unlabelled requests is shadow-scored (every labelled one is: the gates and the rollback
         * test count only those). Agreement and the class mix are estimated from the sample; scoring every
         * unlabelled request cost 12 % of raw throughput on 2 cores (40,409 against 45,692 req/s) for no decision.
         */
        @WithName("unlabelled-every")
        @WithDefault("8")
        int unlabelledEvery();
    }

    /** Automatic rollback of a live version found worse than the version before it. */
    interface Rollback {
        /** Whether the previous promoted version is shadow-scored and a worse live version rolled back. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Confidence of the one-sided McNemar test that the live version is worse than the baseline, over all
         * the looks of a window (each look tests at {@code (1 - confidence) / looks}, Bonferroni).
         */
        @WithDefault("0.99")
        double confidence();

        /** Paired labelled requests between two looks of the test (the first look too). */
        @WithName("min-labelled")
        @WithDefault("200")
        int minLabelled();

        /**
         * Paired labelled requests after which a live version that was not found worse is confirmed: the
         * baseline is no longer shadowed (bounded looks keep the test's confidence; bounded CPU).
         */
        @WithDefault("2000")
        int window();
    }
}
