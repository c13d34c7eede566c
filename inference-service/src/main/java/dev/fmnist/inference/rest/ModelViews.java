package dev.fmnist.inference.rest;

import dev.fmnist.api.ModelInfo;
import dev.fmnist.contracts.ModelVerdict;
import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.inference.domain.ServingRule;
import dev.fmnist.inference.domain.VersionVerdict;
import dev.fmnist.inference.promotion.PromotionPolicy;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.watch.shadow.ShadowRole;
import dev.fmnist.inference.watch.shadow.ShadowScoring;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Maps a served model's registry state (and its shadow figures) to the REST descriptions. */
@ApplicationScoped
public class ModelViews {
    private final ShadowScoring shadow;
    private final PromotionPolicy promotion;

    public ModelViews(ShadowScoring shadow, PromotionPolicy promotion) {
        this.shadow = shadow;
        this.promotion = promotion;
    }

    /** @param unread whether this replica has not yet read the decision just written */
    public ModelInfo.Versions versions(ServedModel model, ModelRegistry.State s, boolean unread) {
        Long live = s.live() == null ? null : s.live().version();
        List<ModelInfo> newestFirst = new ArrayList<>();
        for (LoadedModel m : s.retained()) {
            newestFirst.add(0, info(model, s, m));
        }
        return new ModelInfo.Versions(live, s.pinned(), unread || s.pinPending(), s.highestSeen(), newestFirst,
                s.policy().name().toLowerCase(Locale.ROOT), promotion.rollback().enabled());
    }

    /** The description of version {@code m} in state {@code s}; NaN metrics (not measured) become null. */
    public ModelInfo info(ServedModel model, ModelRegistry.State s, LoadedModel m) {
        var metrics = m.metrics();
        boolean live = s.live() != null && s.live().version() == m.version();
        VersionVerdict verdict = s.verdict(m.version());
        String reason = verdict != null && verdict.verdict() != ModelVerdict.Verdict.PROMOTE ? verdict.reason() : null;
        return new ModelInfo(m.modelName(), m.version(), m.epoch(), m.step(), measured(metrics.testAccuracy()),
                measured(metrics.trainLoss()), measured(metrics.trainAccuracy()), m.createdAt(), m.loadedAt(),
                m.hyperparameters(), m.lineage(), live, s.pinned() != null && s.pinned() == m.version(),
                state(s, m, live, verdict), reason, shadow(model, m.version()));
    }

    private static String state(ModelRegistry.State s, LoadedModel m, boolean live, VersionVerdict verdict) {
        PromotionConfig.Policy policy = s.policy();
        if (live) {
            return "live";
        }
        if (ServingRule.checkpoint(policy, m, s.live(), verdict)) {
            return "checkpoint";
        }
        if (verdict == null) {
            // under latest a version needs no verdict to serve: it is as good as promoted
            return policy == PromotionConfig.Policy.GATED ? "candidate" : "promoted";
        }
        return switch (verdict.verdict()) {
            case PROMOTE -> "promoted";
            case REFUSE -> "refused";
            case ROLL_BACK -> "rolled-back";
        };
    }

    private ModelInfo.Shadow shadow(ServedModel model, long version) {
        ShadowRole role = shadow.roleOf(model, version);
        var v = role == null ? null : shadow.view(model, role);
        if (v == null) {
            return null;
        }
        List<Long> classes = new ArrayList<>();
        for (long c : v.classes()) {
            classes.add(c);
        }
        return new ModelInfo.Shadow(role.tag(), v.requests(), measured(v.agreement()), v.labelled(),
                measured(v.accuracy()), measured(v.liveAccuracy()), classes);
    }

    private static Double measured(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
