package dev.fmnist.inference.service;

import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** The served model's registry, wired to the metrics and the log. */
@ApplicationScoped
public class ModelService {
    private static final Logger LOG = Logger.getLogger(ModelService.class);
    private final ModelRegistry registry;
    private final InferenceMetrics metrics;
    private final InferenceConfig config;

    public ModelService(InferenceConfig config, InferenceMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.registry = new ModelRegistry(config.keepVersions(), model -> {
            metrics.swapped(model);
            LOG.infof("model %s version %d (epoch %d, test accuracy %s) is live", model.modelName(), model.version(),
                    model.epoch(), model.metrics().testAccuracy());
        });
    }

    public String modelName() {
        return config.modelName();
    }

    /** The live model, or null before the first snapshot. */
    public LoadedModel live() {
        return registry.live();
    }

    /** The live model. @throws ModelUnavailableException before the first snapshot */
    public LoadedModel require() {
        LoadedModel m = registry.live();
        if (m == null) {
            throw new ModelUnavailableException("no model loaded yet: waiting for a snapshot of '"
                    + config.modelName() + "' on the snapshots topic");
        }
        return m;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /**
     * Serves {@code version} until {@link #unpin()}.
     *
     * @throws ModelConflictException when that version is not retained
     */
    public ModelRegistry.State pin(long version) {
        try {
            return registry.pin(version);
        } catch (IllegalArgumentException e) {
            throw new ModelConflictException(e.getMessage());
        }
    }

    /** Follows the newest retained version again. */
    public ModelRegistry.State unpin() {
        return registry.unpin();
    }

    /**
     * Pins the newest retained version older than the live one.
     *
     * @throws ModelConflictException when there is no older version to go back to
     */
    public ModelRegistry.State rollback() {
        try {
            return registry.rollback();
        } catch (IllegalStateException e) {
            throw new ModelConflictException(e.getMessage());
        }
    }

    public ModelRegistry.Offer offer(LoadedModel model) {
        ModelRegistry.Offer offer = registry.offer(model);
        metrics.snapshot(offer.name().toLowerCase(java.util.Locale.ROOT));
        if (offer == ModelRegistry.Offer.IGNORED_NOT_NEWER) {
            LOG.infof("snapshot version %d ignored: not newer than %d", model.version(), registry.state().highestSeen());
        }
        return offer;
    }
}
