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
 * so one slow model never stalls the other requests sharing its event loop. Measured on one thread of the
 * 2-core build machine ({@code contracts} test {@code ForwardCost}): softmax about 5 us an image, mlp
 * 20 us, cnn 130 us; an event loop serves about 50,000 softmax requests/s, so even the mlp would take
 * as long as the whole rest of a request, and a cnn would take several requests' time. Requests whose own
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
