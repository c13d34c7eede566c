package dev.fmnist.broker.secure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Kafka users of a secured pipeline, one per service plus an operator and an outside client.
 * Each authenticates with SCRAM-SHA-512 as {@code User:<name>}; what each may do is in
 * {@link PipelineAcls}. The broker's own super user is not one of them ({@link SecureBroker#SUPER_USER}).
 */
public enum PipelinePrincipal {
    /** ingest-service: publishes the datasets and users' images. */
    INGEST("ingest"),
    /** trainer-service: replays the datasets, publishes weight snapshots. */
    TRAINER("trainer"),
    /** inference-service: follows snapshots, answers scoring requests. */
    INFERENCE("inference"),
    /** console: reads snapshots, the datasets and dead letters to show them (no writes). */
    CONSOLE("console"),
    /** Whoever creates and configures the pipeline's topics (./fmnist, a deployment job). */
    OPERATOR("operator"),
    /** An application that scores images over Kafka: sends requests, reads predictions. */
    CLIENT("client");

    private final String userName;

    PipelinePrincipal(String userName) {
        this.userName = userName;
    }

    /** The SCRAM user name (the principal is {@code User:<userName>}). */
    public String userName() {
        return userName;
    }

    /** Parses a user name ("trainer"), with an error that lists the valid ones. */
    public static PipelinePrincipal of(String userName) {
        for (PipelinePrincipal p : values()) {
            if (p.userName.equals(userName.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown Kafka principal '" + userName + "'; one of "
                + Arrays.stream(values()).map(PipelinePrincipal::userName).collect(Collectors.joining(", ")));
    }
}
