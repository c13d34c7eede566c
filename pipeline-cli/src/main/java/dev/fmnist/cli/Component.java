package dev.fmnist.cli;

/** The processes of a local run, in start order; they stop in the reverse order. */
public enum Component {
    KAFKA("kafka", "dev.fmnist.broker.LocalKafkaMain"),
    INFERENCE("inference", "inference-service"),
    TRAINER("trainer", "trainer-service"),
    INGEST("ingest", "ingest-service"),
    /** The web console: started last, so it finds the services up; stopped first. */
    CONSOLE("console", "console");

    private final String id;
    private final String marker;

    Component(String id, String marker) {
        this.id = id;
        this.marker = marker;
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
        return this != KAFKA;
    }
}
