package dev.fmnist.cli;

/**
 * The processes of a local run, in start order; they stop in the reverse order. A single-broker run has
 * one broker, {@link #KAFKA}; {@code up --brokers 3} runs {@link #KAFKA} as node 1 of a cluster, with
 * {@link #KAFKA_2} and {@link #KAFKA_3} beside it (the same broker process, nodes 2 and 3).
 */
public enum Component {
    KAFKA("kafka", Component.BROKER_MAIN, 1),
    KAFKA_2("kafka-2", Component.BROKER_MAIN, 2),
    KAFKA_3("kafka-3", Component.BROKER_MAIN, 3),
    INFERENCE("inference", "inference-service", 0),
    TRAINER("trainer", "trainer-service", 0),
    INGEST("ingest", "ingest-service", 0),
    /** The web console: started last, so it finds the services up; stopped first. */
    CONSOLE("console", "console", 0);

    /** How many broker nodes a local cluster has at most. */
    public static final int MAX_BROKERS = 3;
    private static final String BROKER_MAIN = "dev.fmnist.broker.LocalKafkaMain";

    private final String id;
    private final String marker;
    private final int node;

    Component(String id, String marker, int node) {
        this.id = id;
        this.marker = marker;
        this.node = node;
    }

    /** Name used for log and pid files. */
    public String id() {
        return id;
    }

    /** A string found in the process's command line: guards against a recycled pid. */
    public String marker() {
        return marker;
    }

    public boolean isService() {
        return node == 0;
    }

    public boolean isBroker() {
        return node > 0;
    }

    /** The broker's node id (1 for the single broker), 0 for a service. */
    public int node() {
        return node;
    }

    /** The broker component of node {@code n} (1-3). */
    public static Component broker(int n) {
        return switch (n) {
            case 1 -> KAFKA;
            case 2 -> KAFKA_2;
            case 3 -> KAFKA_3;
            default -> throw new CliException("no broker node " + n + " (1-" + MAX_BROKERS + ")", 2);
        };
    }
}
