package dev.fmnist.ingest.images;

/** Why an upload was refused: the HTTP status and the metric tag (few values on purpose). */
public enum RejectReason {
    BAD_IMAGE("bad_image", 400),
    BAD_LABEL("bad_label", 400),
    BAD_ARCHIVE("bad_archive", 400),
    TOO_LARGE("too_large", 413),
    UNSUPPORTED_TYPE("unsupported_type", 415);

    private final String tag;
    private final int status;

    RejectReason(String tag, int status) {
        this.tag = tag;
        this.status = status;
    }

    public String tag() {
        return tag;
    }

    public int status() {
        return status;
    }
}
