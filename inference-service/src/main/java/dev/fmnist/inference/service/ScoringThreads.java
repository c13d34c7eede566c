package dev.fmnist.inference.service;

import dev.fmnist.contracts.model.ModelFamily;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.context.ManagedExecutor;

/**
 * The one rule for which thread scores a request that arrives on the HTTP I/O thread (raw bytes): a
 * family whose forward pass is cheap enough is scored right there, every other one on a Quarkus worker,
 * so one slow model never stalls the other requests sharing its event loop. An mlp forward pass costs about
 * 4 times softmax's and a cnn's about 25 times (contracts' test {@code ForwardCost}): a cnn pass takes several
 * whole softmax requests' time, so it does not belong on a thread every other request waits for. Requests whose own
 * work blocks (PNG/JPEG decoding, JSON streamed from the body, OIP, Kafka) already run on workers and are
 * scored there, whatever the family.
 */
@ApplicationScoped
public class ScoringThreads {
    /** The families scored on the I/O thread. */
    private static final Set<ModelFamily> ON_IO_THREAD = EnumSet.of(ModelFamily.SOFTMAX);

    private final ManagedExecutor workers;

    public ScoringThreads(ManagedExecutor workers) {
        this.workers = workers;
    }

    /** Whether {@code family} is scored on the I/O thread a request arrived on. */
    public static boolean onIoThread(ModelFamily family) {
        return ON_IO_THREAD.contains(family);
    }

    /**
     * Runs {@code scoring} by the rule: at once on this thread for a cheap family (a failure is thrown
     * here, as from any synchronous method), else on a worker (a failure fails the {@link Uni}; the same
     * exception mappers answer it).
     */
    public <T> Uni<T> score(ServedModel model, Supplier<T> scoring) {
        if (onIoThread(model.family())) {
            return Uni.createFrom().item(scoring.get());
        }
        return Uni.createFrom().item(scoring).runSubscriptionOn(workers);
    }
}
