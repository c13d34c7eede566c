package dev.fmnist.inference.service;

import dev.fmnist.inference.config.InferenceConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.support.rest.ApiException;
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

    /**
     * The model a request names: the live one (the pinned one when pinned) for a null version, else
     * that version if this replica keeps it.
     *
     * @throws ModelUnavailableException before the first snapshot (no version given)
     * @throws ApiException (404) for a version that is not a number or is not kept
     */
    public LoadedModel resolve(String version) {
        ModelRegistry.State state = registry.state();
        if (version == null) {
            if (state.live() == null) {
                throw new ModelUnavailableException("no model loaded yet: waiting for the first snapshot");
            }
            return state.live();
        }
        long v;
        try {
            v = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("unknown version '" + version + "' of model '" + modelName() + "'");
        }
        for (LoadedModel m : state.retained()) {
            if (m.version() == v) {
                return m;
            }
        }
        throw ApiException.notFound("version " + v + " of model '" + modelName()
                + "' is not kept by this replica (kept: " + state.retained().stream().map(LoadedModel::version).toList() + ")");
    }

    public ModelRegistry registry() {
        return registry;
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
