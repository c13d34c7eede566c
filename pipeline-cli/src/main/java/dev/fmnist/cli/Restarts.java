package dev.fmnist.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * The restarts of the current run, per component, in a properties file of the state folder
 * ({@code run/restarts.properties}): how many, how many in a row, and the last one's cause (exit code),
 * time, uptime and backoff. The supervising process writes it (replacing the file whole, so a reader never
 * sees half of it); {@code ./fmnist status} reads it. It holds no secret.
 */
public final class Restarts {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    /**
     * One component's restarts.
     *
     * @param count       restarts in this run
     * @param consecutive crashes in a row (see {@link RestartPolicy#consecutive})
     * @param exitCode    the last exit's code; empty when the process could not even be started
     * @param at          when the last exit was seen
     * @param uptime      how long the process had run
     * @param backoff     the wait before it was started again
     */
    public record Entry(int count, int consecutive, OptionalInt exitCode, Instant at, Duration uptime, Duration backoff) {
        /** {@code exit 3}, or {@code start failed}. */
        public String cause() {
            return exitCode.isPresent() ? "exit " + exitCode.getAsInt() : "start failed";
        }

        /** {@code restarts 1 (last: exit 3 at 14:02:07)} in the given time zone. */
        public String describe(ZoneId zone) {
            return "restarts " + count + " (last: " + cause() + " at " + CLOCK.format(at.atZone(zone)) + ")";
        }
    }

    private final Path file;

    public Restarts(Path file) {
        this.file = file;
    }

    /** Every component's entry; a component never restarted has none. */
    public synchronized Map<Component, Entry> read() {
        Properties p = load();
        Map<Component, Entry> all = new EnumMap<>(Component.class);
        for (Component c : Component.values()) {
            entry(p, c).ifPresent(e -> all.put(c, e));
        }
        return all;
    }

    public Optional<Entry> of(Component c) {
        return Optional.ofNullable(read().get(c));
    }

    /** Counts one restart of a component and returns its new entry. */
    public synchronized Entry record(Component c, OptionalInt exitCode, Instant at, Duration uptime, int consecutive,
                                     Duration backoff) {
        Properties p = load();
        int count = entry(p, c).map(Entry::count).orElse(0) + 1;
        Entry e = new Entry(count, consecutive, exitCode, at, uptime, backoff);
        String k = c.id() + ".";
        p.setProperty(k + "restarts", Integer.toString(count));
        p.setProperty(k + "consecutive", Integer.toString(consecutive));
        if (exitCode.isPresent()) {
            p.setProperty(k + "last-exit", Integer.toString(exitCode.getAsInt()));
        } else {
            p.remove(k + "last-exit");
        }
        p.setProperty(k + "last-at", at.toString());
        p.setProperty(k + "last-uptime-ms", Long.toString(uptime.toMillis()));
        p.setProperty(k + "last-backoff-ms", Long.toString(backoff.toMillis()));
        store(p);
        return e;
    }

    /** Forgets every count: a new run starts. */
    public synchronized void clear() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    private static Optional<Entry> entry(Properties p, Component c) {
        String k = c.id() + ".";
        String count = p.getProperty(k + "restarts");
        if (count == null) {
            return Optional.empty();
        }
        try {
            String exit = p.getProperty(k + "last-exit");
            return Optional.of(new Entry(Integer.parseInt(count), Integer.parseInt(p.getProperty(k + "consecutive", "0")),
                    exit == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(exit)),
                    Instant.parse(p.getProperty(k + "last-at")),
                    Duration.ofMillis(Long.parseLong(p.getProperty(k + "last-uptime-ms", "0"))),
                    Duration.ofMillis(Long.parseLong(p.getProperty(k + "last-backoff-ms", "0")))));
        } catch (RuntimeException e) {
            return Optional.empty(); // a hand-edited or foreign file: no entry rather than no status
        }
    }

    private Properties load() {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return p;
    }

    private void store(Properties p) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "restarts", ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "restarts of the components of ./fmnist up (written by its supervisor)");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
