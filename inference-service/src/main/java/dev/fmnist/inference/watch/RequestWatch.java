package dev.fmnist.inference.watch;

import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.ServedModel;
import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Every {@link ScoredRequestObserver} bean, called in turn for each scored image. An observer that throws
 * (a bug) is logged and never fails the request it watched.
 */
@ApplicationScoped
public class RequestWatch {
    private static final Logger LOG = Logger.getLogger(RequestWatch.class);
    private final ScoredRequestObserver[] observers;

    public RequestWatch(@All List<ScoredRequestObserver> observers) {
        this.observers = observers.toArray(new ScoredRequestObserver[0]);
    }

    /** A watch that sees nothing (tests of the scoring alone). */
    public static RequestWatch none() {
        return new RequestWatch(List.of());
    }

    public void scored(ServedModel model, LoadedModel version, byte[] pixels, int offset, int predicted,
                       Integer label) {
        for (ScoredRequestObserver o : observers) {
            try {
                o.scored(model, version, pixels, offset, predicted, label);
            } catch (RuntimeException e) {
                LOG.errorf(e, "request observer %s failed (the request was answered)", o.getClass().getSimpleName());
            }
        }
    }
}
