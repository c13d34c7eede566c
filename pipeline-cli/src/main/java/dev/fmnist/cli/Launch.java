package dev.fmnist.cli;

import java.util.List;
import java.util.Map;

/**
 * How a component is started: its command line and the environment variables added to the launcher's
 * own (secrets go there: a command line is readable by every local user). A restart reuses it as is.
 */
public record Launch(List<String> command, Map<String, String> environment) {
    public Launch {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }
}
