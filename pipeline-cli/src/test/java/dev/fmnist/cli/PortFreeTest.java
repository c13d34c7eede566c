package dev.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class PortFreeTest {

    @Test
    void aListeningPortIsTaken() throws IOException {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("0.0.0.0", 0));
            assertFalse(Supervisor.portFree(listener.getLocalPort()));
        }
    }

    @Test
    void aPortWithOnlyTimeWaitConnectionsIsFree() throws IOException {
        int port;
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("0.0.0.0", 0));
            port = listener.getLocalPort();
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                // The server side closes first, so its end (local port = the listened port)
                // goes to TIME-WAIT, as after a service answered HTTP requests and stopped.
                Socket served = listener.accept();
                served.getOutputStream().write('x');
                served.close();
                client.getInputStream().read();
                client.getInputStream().read();
            }
        }
        assertTrue(Supervisor.portFree(port), "TIME-WAIT on port " + port + " must not make it taken");
    }
}
