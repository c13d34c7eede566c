package dev.fmnist.inference.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Benchmark load generator (not a test): HTTP/1.1 keep-alive connections over plain sockets to
 * 127.0.0.1 only, each request a fixed POST body. Two modes, both bounded in count and time:
 * <ul>
 *   <li>{@code rate}: open model at a fixed request rate; latency counts from each request's
 *       intended start, so a stall is not hidden (no coordinated omission);</li>
 *   <li>{@code max}: closed model, every connection sends as fast as answers come.</li>
 * </ul>
 * Usage: LoadGen MODE PORT CONTENT_TYPE BODY_FILE CONNECTIONS SECONDS [RATE]
 */
public final class LoadGen {
    private LoadGen() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        String contentType = args[2];
        byte[] body = Files.readAllBytes(Path.of(args[3]));
        int connections = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        double rate = args.length > 6 ? Double.parseDouble(args[6]) : 0;
        if (connections < 1 || connections > 256 || seconds < 1 || seconds > 120 || rate > 200_000) {
            throw new IllegalArgumentException("bounds: 1-256 connections, 1-120 s, rate <= 200000");
        }
        byte[] request = request(port, contentType, body);

        // Warm-up: 5 s closed-model traffic so JIT, GC sizing and connections settle; not measured.
        run("max", port, request, connections, 5, 0, new Recorder(3600_000_000L, 3));

        Recorder recorder = new Recorder(3600_000_000L, 3);
        long start = System.nanoTime();
        long done = run(mode, port, request, connections, seconds, rate, recorder);
        double elapsed = (System.nanoTime() - start) / 1e9;
        Histogram h = recorder.getIntervalHistogram();
        System.out.printf("%s %s: %d requests in %.1f s = %.0f req/s, %d connections%s%n", contentType, mode, done,
                elapsed, done / elapsed, connections, mode.equals("rate") ? String.format(", target %.0f req/s", rate) : "");
        System.out.printf("  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (errors: %d)%n",
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, ERRORS.get());
        if (ERRORS.get() > 0) {
            System.exit(1);
        }
    }

    private static final AtomicLong ERRORS = new AtomicLong();

    private static long run(String mode, int port, byte[] request, int connections, int seconds, double rate,
                            Recorder recorder) throws InterruptedException {
        long startNs = System.nanoTime();
        long endNs = startNs + seconds * 1_000_000_000L;
        long total = rate > 0 ? (long) (rate * seconds) : Long.MAX_VALUE;
        double intervalNs = rate > 0 ? 1e9 / rate : 0;
        AtomicLong ticket = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                try (Socket socket = new Socket()) {
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 16384);
                    while (true) {
                        long intended;
                        if (mode.equals("rate")) {
                            long i = ticket.getAndIncrement();
                            if (i >= total) {
                                break;
                            }
                            intended = startNs + (long) (i * intervalNs);
                            long wait;
                            // One park for most of the wait, a short spin for the rest: few wake-ups,
                            // so the generator takes little CPU from the service it measures.
                            while ((wait = intended - System.nanoTime()) > 0) {
                                if (wait > 100_000) {
                                    LockSupport.parkNanos(wait - 50_000);
                                } else {
                                    Thread.onSpinWait();
                                }
                            }
                        } else {
                            intended = System.nanoTime();
                            if (intended > endNs) {
                                break;
                            }
                        }
                        out.write(request);
                        out.flush();
                        if (readResponse(in) != 200) {
                            ERRORS.incrementAndGet();
                        }
                        recorder.recordValue(Math.max(0, (System.nanoTime() - intended) / 1000));
                        completed.incrementAndGet();
                    }
                } catch (IOException e) {
                    ERRORS.incrementAndGet();
                    System.err.println("connection failed: " + e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(seconds * 1000L + 30_000);
        }
        return completed.get();
    }

    private static byte[] request(int port, String contentType, byte[] body) {
        String head = "POST /api/v1/classify HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] r = new byte[h.length + body.length];
        System.arraycopy(h, 0, r, 0, h.length);
        System.arraycopy(body, 0, r, h.length, body.length);
        return r;
    }

    /** Reads one response (status line, headers, Content-Length body); returns the status. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int code = Integer.parseInt(status.substring(9, 12));
        int length = 0;
        String header;
        while (!(header = line(in)).isEmpty()) {
            if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        in.skipNBytes(length);
        return code;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }
}
