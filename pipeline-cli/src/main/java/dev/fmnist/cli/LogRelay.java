package dev.fmnist.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Copies what the supervisor of {@code up -d} prints (its log, followed from where this start began) to
 * the user as it comes, partial lines included (the dots of a starting component), until one of its
 * marker lines: {@value #READY} (the model serves: {@code up -d} is done), or {@value #FAILED} and an exit
 * code, after which the rest of the output is the reason. Other lines starting with {@value #PREFIX}
 * (headers) are not shown.
 */
final class LogRelay {
    static final String PREFIX = "==== ";
    static final String READY = PREFIX + "ready";
    static final String FAILED = PREFIX + "failed";
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    enum State { RELAYING, READY, FAILED }

    private final OutputStream out;
    /** The start of the current line, held back until it shows whether it is a marker. */
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private final ByteArrayOutputStream reason = new ByteArrayOutputStream();
    private boolean plainLine;
    private State state = State.RELAYING;
    private int exitCode = 1;

    LogRelay(OutputStream out) {
        this.out = out;
    }

    void accept(byte[] bytes, int length) {
        try {
            for (int i = 0; i < length; i++) {
                byte b = bytes[i];
                switch (state) {
                    case READY -> {
                        return;
                    }
                    case FAILED -> reason.write(b);
                    case RELAYING -> relay(b);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void relay(byte b) throws IOException {
        if (plainLine) {
            out.write(b);
            plainLine = b != '\n';
            return;
        }
        held.write(b);
        byte[] line = held.toByteArray();
        if (b == '\n') {
            held.reset();
            if (startsWithPrefix(line)) {
                marker(new String(line, StandardCharsets.UTF_8).strip());
            } else {
                out.write(line);
            }
        } else if (line.length == PREFIX_BYTES.length && !startsWithPrefix(line)) {
            held.reset();
            out.write(line);
            plainLine = true;
        }
    }

    private static boolean startsWithPrefix(byte[] line) {
        return line.length >= PREFIX_BYTES.length
                && Arrays.equals(line, 0, PREFIX_BYTES.length, PREFIX_BYTES, 0, PREFIX_BYTES.length);
    }

    private void marker(String line) {
        if (line.equals(READY)) {
            state = State.READY;
        } else if (line.startsWith(FAILED)) {
            state = State.FAILED;
            try {
                exitCode = Integer.parseInt(line.substring(FAILED.length()).strip());
            } catch (NumberFormatException e) {
                exitCode = 1;
            }
        }
    }

    State state() {
        return state;
    }

    /** After {@value #FAILED}: the exit code the supervisor gave. */
    int exitCode() {
        return exitCode;
    }

    /** After {@value #FAILED}: the reason, as printed so far (without header lines). */
    String reason() {
        return String.join("\n", reason.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith(PREFIX)).toList()).strip();
    }
}
