package dev.fmnist.inference.service;

import dev.fmnist.inference.domain.BatchScorer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Loads the DJL engine at startup so a broken native setup shows at once, not on the first batch. */
@ApplicationScoped
public class EngineWarmUp {
    private static final Logger LOG = Logger.getLogger(EngineWarmUp.class);

    void onStart(@Observes StartupEvent event) {
        LOG.infof("batch scoring engine ready: %s", BatchScorer.warmUp());
    }
}
