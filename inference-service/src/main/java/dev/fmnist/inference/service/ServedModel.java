package dev.fmnist.inference.service;

import dev.fmnist.contracts.model.ModelFamily;
import dev.fmnist.inference.config.PromotionConfig;
import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.domain.ModelRegistry;
import dev.fmnist.support.rest.ApiException;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * One served model: its name ({@code fmnist-cnn}), the family every snapshot under that name must carry,
 * its {@link ModelRegistry} (live version, retained versions, pin, verdicts under its promotion policy) and its meters.
 */
public final class ServedModel {
    private static final Logger LOG = Logger.getLogger(ServedModel.class);
    private final ModelFamily family;
    private final ModelRegistry registry;
    private final InferenceMetrics.ModelMeters meters;

    ServedModel(ModelFamily family, int keepVersions, PromotionConfig.Policy policy, InferenceMetrics.ModelMeters meters) {
        this.family = family;
        this.meters = meters;
        this.registry = new ModelRegistry(keepVersions, policy, model -> {
            meters.swapped(model);
            LOG.infof("model %s version %d (epoch %d, test accuracy %s) is live", model.modelName(), model.version(),
                    model.epoch(), model.metrics().testAccuracy());
        });
    }

    public String name() {
        return family.modelName();
    }

    public ModelFamily family() {
        return family;
    }

    public ModelRegistry registry() {
        return registry;
    }

    public InferenceMetrics.ModelMeters meters() {
        return meters;
    }

    /** The live model, or null before the first snapshot. */
    public LoadedModel live() {
        return registry.live();
    }

    /** The live model. @throws ModelUnavailableException before the first snapshot */
    public LoadedModel require() {
        LoadedModel m = registry.live();
        if (m == null) {
            throw new ModelUnavailableException("no model loaded yet: waiting for a snapshot of '" + name()
                    + "' on the snapshots topic");
        }
        return m;
    }

    /**
     * The version a request names: the live one (the pinned one when pinned) for a null version, else
     * that version if this replica keeps it.
     *
     * @throws ModelUnavailableException before the first snapshot (no version given)
     * @throws ApiException (404) for a version that is not a number or is not kept
     */
    public LoadedModel resolve(String version) {
        ModelRegistry.State state = registry.state();
        if (version == null) {
            return require();
        }
        long v;
        try {
            v = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("unknown version '" + version + "' of model '" + name() + "'");
        }
        for (LoadedModel m : state.retained()) {
            if (m.version() == v) {
                return m;
            }
        }
        throw ApiException.notFound("version " + v + " of model '" + name()
                + "' is not kept by this replica (kept: " + state.retained().stream().map(LoadedModel::version).toList() + ")");
    }

    /** Offers a snapshot (already checked to be this model's and of its family) to the registry, counted. */
    public ModelRegistry.Offer offer(LoadedModel model) {
        ModelRegistry.Offer offer = registry.offer(model);
        meters.snapshot(offer.name().toLowerCase(Locale.ROOT));
        if (offer == ModelRegistry.Offer.CANDIDATE) {
            LOG.infof("snapshot %s version %d (test accuracy %s) is a candidate: it serves once promoted", name(),
                    model.version(), model.metrics().testAccuracy());
        } else if (offer == ModelRegistry.Offer.IGNORED_NOT_NEWER) {
            LOG.infof("snapshot %s version %d ignored: not newer than %d", name(), model.version(),
                    registry.state().highestSeen());
        }
        return offer;
    }
}
