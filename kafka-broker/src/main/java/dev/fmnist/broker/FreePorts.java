package dev.fmnist.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports to name before something binds them (the broker's listener and controller, a broker restarted on the
 * same port, a child JVM): all of one call are held open together before any is released, so they differ from
 * each other. Another process may still take one before it is bound; callers bind them soon after.
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** {@code count} distinct ports that were free a moment ago. */
    public static int[] take(int count) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing a listening socket that was never used: nothing to do
                }
            }
        }
    }

    /** One port that was free a moment ago. */
    public static int take() {
        return take(1)[0];
    }
}
