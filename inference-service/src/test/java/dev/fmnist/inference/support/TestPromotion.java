package dev.fmnist.inference.support;

import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.promotion.PromotionPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * The documented defaults of {@link PromotionConfig} under a chosen policy, for fast tests; every unlabelled
 * request is shadow-scored ({@code unlabelledEvery} 1) so that counts are exact.
 */
public record TestPromotion(Policy policy, double tolerance, double floor, int minLabelled, Duration maxWait,
                            int rollbackLooks, int queue, int unlabelledEvery) implements PromotionConfig {
    /** The defaults, under {@code policy}. */
    public static TestPromotion of(Policy policy) {
        return new TestPromotion(policy, 0.005, 0.5, 500, Duration.ofMinutes(2), 200, 4096, 1);
    }

    /** The defaults under {@code latest} (a new snapshot serves at once), resolved: what ModelService takes. */
    public static PromotionPolicy latest() {
        return policy(Policy.LATEST);
    }

    /** A resolved policy of {@link #of}: what ModelService takes. */
    public static PromotionPolicy policy(Policy policy) {
        return new PromotionPolicy(of(policy));
    }

    @Override
    public Map<String, ModelOverride> models() {
        return Map.of();
    }

    @Override
    public Shadow shadow() {
        return new Shadow() {
            @Override public int minLabelled() { return minLabelled; }
            @Override public Duration maxWait() { return maxWait; }
            @Override public int queue() { return queue; }
            @Override public int unlabelledEvery() { return unlabelledEvery; }
        };
    }

    @Override
    public Rollback rollback() {
        return new Rollback() {
            @Override public boolean enabled() { return true; }
            @Override public double confidence() { return 0.99; }
            @Override public int minLabelled() { return rollbackLooks; }
            @Override public int window() { return 2000; }
        };
    }
}
