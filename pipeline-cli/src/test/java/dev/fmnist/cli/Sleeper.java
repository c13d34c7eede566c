package dev.fmnist.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in component for {@link WatchdogTest}: {@code Sleeper <marker> <exit-file>} runs until killed,
 * or until the exit file appears, then exits with the code written in it, deleting the file unless the
 * code is followed by {@code keep} (then every start exits at once: a crash loop). The marker is
 * the component's, so that {@link Supervisor#running} recognises the process.
 */
public final class Sleeper {
    private Sleeper() {
    }

    public static void main(String[] args) throws Exception {
        Path exitFile = Path.of(args[1]);
        System.out.println("sleeper " + ProcessHandle.current().pid() + " up");
        for (int i = 0; i < 1200; i++) { // at most a minute, whatever happens to the test
            if (Files.isRegularFile(exitFile)) {
                String[] order = Files.readString(exitFile).strip().split(" ");
                int code = Integer.parseInt(order[0]);
                if (order.length == 1) {
                    Files.delete(exitFile);
                }
                System.out.println("sleeper exiting with " + code);
                System.exit(code);
            }
            Thread.sleep(50);
        }
    }
}
