package dev.fmnist.ingest.dataset;

/** The dataset cannot be found, downloaded or read; the message is one line that says what and where. */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
