package dev.fmnist.ingest.images;

import java.util.List;

/** An upload cannot be used; nothing of it was published. {@code entries} lists bad archive entries. */
public class RejectedInputException extends RuntimeException {
    private final RejectReason reason;
    private final List<EntryError> entries;

    /** One bad entry of an archive or folder. */
    public record EntryError(String entry, String error) {
    }

    public RejectedInputException(RejectReason reason, String message) {
        this(reason, message, List.of());
    }

    public RejectedInputException(RejectReason reason, String message, List<EntryError> entries) {
        super(message);
        this.reason = reason;
        this.entries = List.copyOf(entries);
    }

    public RejectReason reason() {
        return reason;
    }

    public List<EntryError> entries() {
        return entries;
    }
}
