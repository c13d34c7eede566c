package dev.fmnist.inference.promotion;

import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.config.PromotionConfig.Policy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * {@code fmnist.inference.promotion.*} resolved per model name: the policy and the offline gates' figures,
 * a model's override where there is one, else the global setting. Checked at startup (a tolerance or floor
 * outside [0, 1], a window smaller than a look, stop the service with the reason).
 */
@ApplicationScoped
public class PromotionPolicy {
    /** What applies to one model. */
    public record Gates(Policy policy, double tolerance, double floor) {
    }

    private final Gates defaults;
    private final Map<String, PromotionConfig.ModelOverride> overrides;
    private final PromotionConfig config;

    @Inject
    public PromotionPolicy(PromotionConfig config) {
        this.config = config;
        this.defaults = new Gates(config.policy(), config.tolerance(), config.floor());
        this.overrides = Map.copyOf(config.models());
        check("fmnist.inference.promotion.tolerance", config.tolerance());
        check("fmnist.inference.promotion.floor", config.floor());
        overrides.forEach((model, o) -> {
            o.tolerance().ifPresent(t -> check("fmnist.inference.promotion.models.\"" + model + "\".tolerance", t));
            o.floor().ifPresent(f -> check("fmnist.inference.promotion.models.\"" + model + "\".floor", f));
        });
        if (config.shadow().minLabelled() < 1 || config.shadow().queue() < 1) {
            throw new IllegalArgumentException("fmnist.inference.promotion.shadow.min-labelled and .queue must be >= 1");
        }
        var r = config.rollback();
        if (!(r.confidence() > 0.5 && r.confidence() < 1) || r.minLabelled() < 1 || r.window() < r.minLabelled()) {
            throw new IllegalArgumentException("fmnist.inference.promotion.rollback: confidence must be in (0.5, 1), "
                    + "min-labelled >= 1 and window >= min-labelled; got " + r.confidence() + ", " + r.minLabelled()
                    + ", " + r.window());
        }
    }

    private static void check(String property, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(property + " must be in [0, 1], got " + v);
        }
    }

    /** The gates of {@code model}. */
    public Gates gates(String model) {
        PromotionConfig.ModelOverride o = overrides.get(model);
        if (o == null) {
            return defaults;
        }
        return new Gates(o.policy().orElse(defaults.policy()), o.tolerance().orElse(defaults.tolerance()),
                o.floor().orElse(defaults.floor()));
    }

    public PromotionConfig.Shadow shadow() {
        return config.shadow();
    }

    public PromotionConfig.Rollback rollback() {
        return config.rollback();
    }
}
