package dev.fmnist.inference.support;

import dev.fmnist.inference.domain.LoadedModel;
import dev.fmnist.inference.service.ServedModel;
import dev.fmnist.inference.watch.ScoredRequestObserver;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records, per served model, the thread its last image was scored on (observers run on the request's
 * thread, right after the forward pass): whether it was a Vert.x event-loop thread, and its name. A test
 * bean of every Quarkus test of this module; one entry per model, so it stays this small under any load.
 */
@ApplicationScoped
public class ThreadProbe implements ScoredRequestObserver {
    /** One scoring's thread. */
    public record Seen(String thread, boolean eventLoop) {
    }

    private final Map<String, Seen> last = new ConcurrentHashMap<>();

    @Override
    public void scored(ServedModel model, LoadedModel version, byte[] pixels, int offset, int predicted,
                       Integer label) {
        last.put(model.name(), new Seen(Thread.currentThread().getName(), Context.isOnEventLoopThread()));
    }

    /** The thread of {@code model}'s last scoring since {@link #clear()}, if any. */
    public Optional<Seen> last(String model) {
        return Optional.ofNullable(last.get(model));
    }

    public void clear() {
        last.clear();
    }
}
